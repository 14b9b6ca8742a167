import { describe, expect, it } from "vitest";
import { buildScheme, fakeClock, finalNode, go, logicNode, startNode } from "../testing/builders.ts";
import { awaitsAnswer, commandKey } from "./commands.ts";
import { newTask } from "./new-task.ts";
import { step } from "./step.ts";

describe("command keys", () => {
  it("spell kind, task, node and visit, then the logic when it is not the first, then the part", () => {
    expect(commandKey("httpCall", "t", "n", 2, 0)).toBe("httpCall:t:n:2");
    expect(commandKey("httpCall", "t", "n", 2, 1)).toBe("httpCall:t:n:2:1");
    expect(commandKey("sumAdd", "t", "n", 1, 0, 3)).toBe("sumAdd:t:n:1:3");
  });
});

describe("awaitsAnswer", () => {
  /*  Start ─▶ twice (api GET a; api GET b) ─▶ end  — an old-format node with two calls  */
  const scheme = buildScheme(
    startNode("s", "twice"),
    logicNode("twice", [{ type: "api", method: "GET", url: "https://a.test/" }, { type: "api", method: "GET", url: "https://b.test/" }, go("end")]),
    finalNode("end"),
  );
  const clock = fakeClock();
  const first = step({ scheme, task: newTask({ id: "t", processId: "p", scheme, data: {}, clock }), event: { type: "enter" }, clock });
  const [callA] = first.commands;
  const ok = { status: 200, headers: {}, body: "{}" };

  it("holds while the task waits in the logic that issued the command", () => {
    expect(callA).toMatchObject({ type: "httpCall", key: "httpCall:t:twice:1" });
    expect(awaitsAnswer(first.task, callA)).toBe(true);
  });

  it("fails once the task waits in the next logic of the same node and visit, or has moved on", () => {
    const second = step({ scheme, task: first.task, event: { type: "httpResult", nodeId: "twice", visit: 1, ...ok }, clock });
    const [callB] = second.commands;
    expect(callB).toMatchObject({ key: "httpCall:t:twice:1:1" });
    expect(awaitsAnswer(second.task, callA)).toBe(false);
    expect(awaitsAnswer(second.task, callB)).toBe(true);
    const done = step({ scheme, task: second.task, event: { type: "httpResult", nodeId: "twice", visit: 1, ...ok }, clock });
    expect(done.task.status).toBe("finished");
    expect(awaitsAnswer(done.task, callB)).toBe(false);
    // Another visit of the node, or another task, is not this command's.
    expect(awaitsAnswer({ ...first.task, waiting: { ...first.task.waiting!, visit: 2 } }, callA)).toBe(false);
    expect(awaitsAnswer({ ...first.task, id: "u" }, callA)).toBe(false);
  });
});

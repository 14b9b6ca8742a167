import { describe, expect, it } from "vitest";
import type { Command } from "../runtime/commands.ts";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const first = (cmds: Command[]) => cmds[0];

describe("Copy Task (api_copy, mode create)", () => {
  it("copies all parameters plus data with group all, data winning", () => {
    const n = singleNode(
      { type: "api_copy", mode: "create", conv_id: "{{target}}", ref: "copy-{{id}}", group: "all", data: { id: "{{id}}", extra: "1" }, data_type: { id: "string", extra: "number" } },
      { id: 9, target: "555", keep: true },
    );
    expect(first(n.entered.commands)).toEqual({
      key: "createTask:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1, type: "createTask", purpose: "copy",
      convId: "555", ref: "copy-9",
      data: { id: "9", target: "555", keep: true, extra: 1, copy_conv_id: "p1", copy_node_id: "act", copy_ref_id: "ref-1" },
    });
    expect(n.entered.task.waiting?.kind).toBe("copy");
  });

  it("sends only data with group '' and no ref when the ref is empty", () => {
    const cmd = first(singleNode({ type: "api_copy", mode: "create", conv_id: 7, ref: "", group: "", data: { x: "{{a}}" } }, { a: "1", secret: "s" }).entered.commands);
    expect(cmd).toMatchObject({ convId: "7", ref: null, data: { x: "1", copy_conv_id: "p1" } });
    expect((cmd as Extract<Command, { type: "createTask" }>).data.secret).toBeUndefined();
  });

  it("marks success with __conveyor_copy_task_result__ and continues", () => {
    const n = singleNode({ type: "api_copy", mode: "create", conv_id: 7, group: "all" });
    const res = n.send({ type: "copyResult", ...at, ok: true, taskId: "child" });
    expect(res.task).toMatchObject({ nodeId: "ok", data: { __conveyor_copy_task_result__: "ok" } });
  });

  it.each([
    ["crash_api", "hardware"], ["copy_task_timeout", "hardware"], ["copy_task_fatal_error", "hardware"],
    ["not_unical_ref", "software"], ["conveyor_is_not_active", "software"], ["access_denied", "software"], ["wrong_validate_params", "software"],
  ])("takes the error exit on %s (%s)", (tag, type) => {
    const res = singleNode({ type: "api_copy", mode: "create", conv_id: 7, group: "all" }).send({ type: "copyResult", ...at, ok: false, errorTag: tag });
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, "copy_task")).toEqual({ type, tag, description: tag });
  });

  it("fails before sending when a value does not cast or the copy is too big", () => {
    const cast = singleNode({ type: "api_copy", mode: "create", conv_id: 7, group: "", data: { n: "{{v}}" }, data_type: { n: "number" } }, { v: "x" });
    expect(cast.entered.commands).toEqual([]);
    expect(errorOf(cast.entered.task.data, "copy_task").tag).toBe("copy_task_wrong_convert_param");
    const big = singleNode({ type: "api_copy", mode: "create", conv_id: 7, group: "all" }, { blob: "z".repeat(300) }, { options: { taskSizeLimit: 200 } });
    expect(errorOf(big.entered.task.data, "copy_task").tag).toBe("copy_task_size_overflow_limit");
  });
});

describe("Modify Task (api_copy, mode modify)", () => {
  it("sends a modifyTask for the ref with the data, and continues on success", () => {
    const n = singleNode({ type: "api_copy", mode: "modify", conv_id: 8, ref: "{{user}}", group: "", data: { status: "blocked" }, is_sync: true }, { user: "u-1" });
    expect(first(n.entered.commands)).toMatchObject({ type: "modifyTask", key: "modifyTask:t1:act:1", convId: "8", ref: "u-1", data: { status: "blocked" }, isSync: true });
    expect(n.send({ type: "copyResult", ...at, ok: true }).task.nodeId).toBe("ok");
  });

  it("reports not_found_task, duplicate_callback and a missing ref", () => {
    const n = singleNode({ type: "api_copy", mode: "modify", conv_id: 8, ref: "u", group: "" });
    expect(errorOf(n.send({ type: "copyResult", ...at, ok: false, errorTag: "not_found_task" }).task.data, "copy_task").tag).toBe("not_found_task");
    const dup = singleNode({ type: "api_copy", mode: "modify", conv_id: 8, ref: "u", group: "" });
    expect(errorOf(dup.send({ type: "copyResult", ...at, ok: false, errorTag: "duplicate_callback" }).task.data, "copy_task").tag).toBe("duplicate_callback");
    const noRef = singleNode({ type: "api_copy", mode: "modify", conv_id: 8, ref: "{{none}}", group: "" });
    expect(noRef.entered.commands).toEqual([]);
    expect(errorOf(noRef.entered.task.data, "copy_task").tag).toBe("not_found_task");
  });
});

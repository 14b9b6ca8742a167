import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, startNode, timeLimit } from "../../engine/testing/builders.ts";
import { createDispatcher } from "../../workers/dispatcher.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";
import { ProcessCatalog } from "./catalog.ts";
import { createExecutor } from "./executor.ts";

/**
 * The executor's log lines are JSON with the ids an operator searches by:
 * every task it moves (at debug level) and every task-counter signal carry
 * the task id and the process id.
 *
 *   Start ─▶ hold (callback; count ≥ 1 ─▶ esc) ─▶ done      esc ─▶ done
 */
let h: Harness;
const lines: string[] = [];

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
});
afterAll(async () => h?.close());

describe("executor logs", () => {
  it("writes one JSON line per task moved and per signal, with taskId and processId", async () => {
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split("\n").filter(Boolean)); done(); } });
    const log = pino({ level: "debug", base: { service: "worker" } }, sink);
    const dispatcher = createDispatcher({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX, pool: h.pool });
    const executor = createExecutor({ pool: h.pool, redis: h.redis, prefix: h.config.QUEUE_PREFIX, catalog: new ProcessCatalog(h.pool, 0), dispatcher, options: {}, log });
    const pid = await h.publish(buildScheme(
      startNode("s", "hold"),
      logicNode("hold", [{ type: "api_callback", is_sync: true }, go("done")], [{ type: "count", value: 1, esc_node_id: "esc" }, timeLimit(1, "done", "day")]),
      escalationNode("esc", [go("done")]),
      finalNode("done"),
    ), { title: "logs" });
    const [taskId] = await h.submit(pid, [{ data: {} }]);
    await executor.run([{ taskId, seq: 0, event: { type: "enter" } }]);
    await dispatcher.close();

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.msg === "task stepped" && l.taskId === taskId)).toMatchObject({ processId: pid, event: "enter", nodeId: "hold", path: ["s", "hold"], service: "worker" });
    const signal = parsed.find((l) => l.msg === "task-counter signal");
    expect(signal).toMatchObject({ processId: pid, nodeId: "hold", signal: "start", count: 1, threshold: 1 });
    expect(signal?.taskId).toMatch(/^[0-9a-f-]{36}$/);
    // The signal task itself was moved too (from the escalation node to done), and says so.
    expect(parsed.find((l) => l.msg === "task stepped" && l.taskId === signal?.taskId)).toMatchObject({ processId: pid, path: ["esc", "done"] });
  });
});

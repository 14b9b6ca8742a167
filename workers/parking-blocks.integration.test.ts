import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, setParam, startNode, timeLimit } from "../engine/testing/builders.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { deliverCallback } from "../server/tasks/deliver-callback.ts";
import { readNodeCounts } from "../server/tasks/node-counters.ts";
import { AppError } from "../server/errors.ts";

/** Parking blocks run durably by the real worker on the real PostgreSQL and Redis. */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const finished = (id: string) => h.waitFor(`task ${id} finished`, () => h.task(id), (t) => t.status === "finished");
const waitingAt = (id: string, nodeId: string) => h.waitFor(`task ${id} waiting at ${nodeId}`, () => h.task(id), (t) => t.status === "waiting" && t.nodeId === nodeId);

describe("parking blocks (real worker)", () => {
  it("Delay: the task parks until its timer fires, then moves on", async () => {
    /*  Start ─▶ wait (no logic; time limit at {{fire_at}}) ─timeout─▶ done  */
    const pid = await h.publish(buildScheme(startNode("s", "wait"), logicNode("wait", [], [timeLimit("{{fire_at}}", "done")]), finalNode("done")));
    const fireAt = Math.floor(Date.now() / 1000) + 2;
    const [id] = await h.submit(pid, [{ data: { fire_at: fireAt } }]);
    await waitingAt(id, "wait");
    const timerJobs = await h.redis.keys(`${h.config.QUEUE_PREFIX}:steps:k|timer|${id}|wait|1`);
    expect(timerJobs).toHaveLength(1);
    const t = await finished(id);
    expect(Date.now()).toBeGreaterThanOrEqual(fireAt * 1000 - 50);
    expect(t.nodeId).toBe("done");
    expect(await h.path(id)).toEqual([{ nodeId: "s", event: "enter" }, { nodeId: "wait", event: "enter" }, { nodeId: "done", event: "timer" }]);
  });

  it("Waiting for Callback: a modify by ref merges the data and releases the task once", async () => {
    /*  Start ─▶ cb (api_callback; 1 day limit ─▶ late) ─▶ done  */
    const pid = await h.publish(buildScheme(
      startNode("s", "cb"), logicNode("cb", [{ type: "api_callback", is_sync: true }, go("done")], [timeLimit(1, "late", "day")]), finalNode("done"), finalNode("late", "error"),
    ));
    const [id] = await h.submit(pid, [{ ref: "order-1", data: { order: 1 } }]);
    await waitingAt(id, "cb");
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).toEqual({ cb: 1 });
    await deliverCallback({ pool: h.pool, executor: h.executor, target: { processId: pid, ref: "order-1" }, data: { approved: true } });
    const t = await h.task(id);
    expect(t).toMatchObject({ status: "finished", nodeId: "done", data: { order: 1, approved: true } });
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).toEqual({ cb: 0, done: 1 });
    // The task is no longer live: a second modify finds nothing.
    await expect(deliverCallback({ pool: h.pool, executor: h.executor, target: { processId: pid, ref: "order-1" }, data: {} })).rejects.toMatchObject({ code: "not_found" });
    await expect(deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: id }, data: {} })).rejects.toBeInstanceOf(AppError);
  });

  it("Call a Process: the caller waits for the reply, inline or after the callee waited", async () => {
    /*  callee: Start ─▶ maybeWait ─(delay_until set)─▶ wait ⏱ ─▶ answer ─▶ reply ─▶ end
     *  caller: Start ─▶ call (api_rpc callee) ─▶ done    (err ─▶ failed)                  */
    const callee = await h.publish(buildScheme(
      startNode("s", "maybeWait"),
      logicNode("maybeWait", [{ type: "go_if_const", to_node_id: "wait", conditions: [{ param: "delay_until", fun: "more", const: "0", cast: "number" }] }, go("answer")]),
      logicNode("wait", [], [timeLimit("{{delay_until}}", "answer")]),
      logicNode("answer", [setParam({ answer: "{{question}}!" }), go("reply")]),
      logicNode("reply", [{ type: "api_rpc_reply", mode: "key_value", res_data: { answer: "{{answer}}" }, res_data_type: { answer: "string" }, throw_exception: false }, go("end")]),
      finalNode("end"),
    ));
    const caller = await h.publish(buildScheme(
      startNode("s", "call"),
      logicNode("call", [{ type: "api_rpc", conv_id: callee, group: "", extra: { question: "{{q}}", delay_until: "{{until}}" }, extra_type: { question: "string", delay_until: "string" }, err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ));
    const [inline, later] = await h.submit(caller, [{ data: { q: "hi", until: "0" } }, { data: { q: "later", until: String(Math.floor(Date.now() / 1000) + 2) } }]);
    expect(await finished(inline)).toMatchObject({ nodeId: "done", data: { q: "hi", answer: "hi!" } });
    await waitingAt(later, "call");
    expect(await finished(later)).toMatchObject({ nodeId: "done", data: { answer: "later!" } });
    expect(await h.db.task.count({ where: { processId: callee, status: "finished", nodeId: "end" } })).toBe(2);
  });

  it("Queue and Get from Queue: tasks wait in the queue; FIFO and LIFO takers get them with their data", async () => {
    /*  queue process: Start ─▶ queue (api_queue +{queued: yes}) ─▶ taken
     *  taker:         Start ─▶ get (api_get_task ASC|DESC) ─▶ got    (err ─▶ empty)  */
    const q = await h.publish(buildScheme(startNode("s", "queue"), logicNode("queue", [{ type: "api_queue", data: { queued: "yes" }, data_type: { queued: "string" } }, go("taken")]), finalNode("taken")));
    const taker = (order: string) => buildScheme(
      startNode("s", "get"), logicNode("get", [{ type: "api_get_task", conv_id: q, node_id: "queue", order_by: order, err_node_id: "empty" }, go("got")]), finalNode("got"), finalNode("empty", "error"),
    );
    const fifo = await h.publish(taker("ASC"));
    const lifo = await h.publish(taker("DESC"));
    const queued: string[] = [];
    for (const n of [1, 2, 3]) {
      const [id] = await h.submit(q, [{ data: { n } }]);
      await waitingAt(id, "queue");
      queued.push(id);
    }
    const [a] = await h.submit(fifo, [{ data: {} }]);
    expect(await finished(a)).toMatchObject({ nodeId: "got", data: { __queue_task_id__: queued[0], __queue_task_data__: { n: 1, queued: "yes" } } });
    expect(await finished(queued[0])).toMatchObject({ nodeId: "taken" });
    const [b] = await h.submit(lifo, [{ data: {} }]);
    expect(await finished(b)).toMatchObject({ nodeId: "got", data: { __queue_task_data__: { n: 3 } } });
    expect((await h.task(queued[1])).status).toBe("waiting");
    // Empty queue: the taker takes its error exit with Corezoid's tag.
    const [drain] = await h.submit(fifo, [{ data: {} }]);
    expect(await finished(drain)).toMatchObject({ nodeId: "got", data: { __queue_task_data__: { n: 2 } } });
    const [c] = await h.submit(fifo, [{ data: {} }]);
    expect(await finished(c)).toMatchObject({ nodeId: "empty", data: { __conveyor_get_task_return_type_tag__: "get_task_executing_error" } });
  });

  it("Copy Task creates the child in the same step; the original goes on", async () => {
    /*  A: Start ─▶ copy (api_copy create ─▶ B, all params) ─▶ done        B: Start ─▶ end  */
    const b = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")));
    const a = await h.publish(buildScheme(
      startNode("s", "copy"), logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: b, ref: "", group: "all", data: { from: "A" }, data_type: { from: "string" }, err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ));
    const [id] = await h.submit(a, [{ ref: "r1", data: { x: 1 } }]);
    expect(await finished(id)).toMatchObject({ nodeId: "done", data: { x: 1, __conveyor_copy_task_result__: "ok" } });
    const child = await h.db.task.findFirstOrThrow({ where: { processId: b } });
    expect(child).toMatchObject({ status: "finished", nodeId: "end", data: { x: 1, from: "A", copy_conv_id: String(a), copy_node_id: "copy", copy_ref_id: "r1" } });
  });

  it("Task counter: a start signal when the node reaches the threshold, a stop signal when it falls below", async () => {
    /*  Start ─▶ hold (api_callback; count ≥ 2 ─▶ esc) ─▶ done
     *  esc (escalation) ─▶ signalled                                      */
    const pid = await h.publish(buildScheme(
      startNode("s", "hold"),
      logicNode("hold", [{ type: "api_callback", is_sync: true }, go("done")], [{ type: "count", value: 2, esc_node_id: "esc" }, timeLimit(1, "done", "day")]),
      escalationNode("esc", [go("signalled")]),
      finalNode("done"), finalNode("signalled"),
    ));
    const [t1, t2] = await h.submit(pid, [{ data: { n: 1 } }, { data: { n: 2 } }]);
    await waitingAt(t1, "hold");
    await waitingAt(t2, "hold");
    const signals = () => h.db.task.findMany({ where: { processId: pid, nodeId: "signalled" }, select: { data: true }, orderBy: { createdAt: "asc" } });
    expect((await h.waitFor("start signal", signals, (s) => s.length === 1))[0].data).toMatchObject({ start: "true", node_id: "hold", count: 2 });
    await deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: t1 }, data: {} });
    expect((await h.waitFor("stop signal", signals, (s) => s.length === 2))[1].data).toMatchObject({ start: "false", node_id: "hold", count: 1 });
  });
});

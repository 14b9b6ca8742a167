import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, setParam, startNode, timeLimit, when } from "../engine/testing/builders.ts";
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
    // The timer job is added right after the step commits (the task may be seen waiting a moment before).
    await h.waitFor("the timer job", () => h.redis.keys(`${h.config.QUEUE_PREFIX}:steps:k|timer|${id}|wait|1`), (k) => k.length === 1, 2_000);
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

describe("time limits on parking blocks, and state diagrams (real worker)", () => {
  const history = (taskId: string) => h.db.taskHistory.findMany({ where: { taskId }, orderBy: { id: "asc" }, select: { event: true } });

  it("a time limit fires on a Waiting for Callback node; a callback after it is refused and changes nothing", async () => {
    /*  Start ─▶ cb (api_callback; time limit at {{fire_at}} ─▶ expired ✗) ─▶ done  */
    const pid = await h.publish(buildScheme(
      startNode("s", "cb"), logicNode("cb", [{ type: "api_callback", is_sync: true }, go("done")], [timeLimit("{{fire_at}}", "expired")]), finalNode("done"), finalNode("expired", "error"),
    ));
    const fireAt = Math.floor(Date.now() / 1000) + 2;
    const [id] = await h.submit(pid, [{ ref: "late-1", data: { fire_at: fireAt } }]);
    await waitingAt(id, "cb");
    await h.waitFor("the timer job", () => h.redis.exists(`${h.config.QUEUE_PREFIX}:steps:k|timer|${id}|cb|1`), (n) => n === 1, 2_000);
    const t = await finished(id);
    expect(Date.now()).toBeGreaterThanOrEqual(fireAt * 1000 - 50);
    expect(t).toMatchObject({ nodeId: "expired", finalKind: "error", data: { fire_at: fireAt } });
    expect(await h.path(id)).toEqual([{ nodeId: "s", event: "enter" }, { nodeId: "cb", event: "enter" }, { nodeId: "expired", event: "timer" }]);
    // Too late: by ref there is no live task any more, by id the task is finished.
    await expect(deliverCallback({ pool: h.pool, executor: h.executor, target: { processId: pid, ref: "late-1" }, data: { approved: true } })).rejects.toMatchObject({ code: "not_found" });
    await expect(deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: id }, data: { approved: true } })).rejects.toMatchObject({ details: { tag: "not_found_task" } });
    expect(await h.task(id)).toEqual(t);
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).toEqual({ cb: 0, expired: 1 });
  });

  it("a time limit fires on a Call a Process node before the reply; the late reply is ignored, even while the caller waits on a second call", async () => {
    /*  callee: Start ─▶ hold (delay until {{until}}) ─▶ reply (answer = {{label}}) ─▶ end
     *  caller: Start ─▶ call (api_rpc callee; time limit at {{limit_at}} ─▶ retry) ─▶ done     (err ─▶ failed)
     *          retry: set label=second, until={{until2}}, limit_at={{far}} ─▶ call (visit 2)          */
    const callee = await h.publish(buildScheme(
      startNode("s", "hold"),
      logicNode("hold", [], [timeLimit("{{until}}", "reply")]),
      logicNode("reply", [{ type: "api_rpc_reply", mode: "key_value", res_data: { answer: "{{label}}" }, res_data_type: { answer: "string" }, throw_exception: false }, go("end")]),
      finalNode("end"),
    ), { title: "rpc timeout: callee" });
    const caller = await h.publish(buildScheme(
      startNode("s", "call"),
      logicNode("call", [{ type: "api_rpc", conv_id: callee, group: "", extra: { label: "{{label}}", until: "{{until}}" }, extra_type: { label: "string", until: "string" }, err_node_id: "failed" }, go("done")], [timeLimit("{{limit_at}}", "retry")]),
      logicNode("retry", [setParam({ label: "second", until: "{{until2}}", limit_at: "{{far}}" }), go("call")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "rpc timeout: caller" });
    const now = Math.floor(Date.now() / 1000);
    // The first child replies at +3 s, after the caller's limit (+1 s); the second child replies at +5 s.
    const [id] = await h.submit(caller, [{ data: { label: "first", until: String(now + 3), limit_at: now + 1, until2: String(now + 5), far: now + 3600 } }]);
    await h.waitFor("caller on its second call", () => h.task(id), (t) => t.status === "waiting" && t.nodeId === "call" && t.data.label === "second");
    const children = () => h.db.task.findMany({ where: { processId: callee }, orderBy: { createdAt: "asc" }, select: { id: true, status: true, nodeId: true, data: true } });
    const [first] = await h.waitFor("the first child replied", children, (c) => c.length === 2 && c[0].status === "finished", 20_000);
    expect(first.data).toMatchObject({ label: "first" });
    // The first reply went out, addressed to visit 1 of the call node, and was ignored there.
    // (Marked dispatched just after the child's commit: wait for it rather than race it.)
    const replies = await h.waitFor("the first reply dispatched", () => h.pool.query<{ visit: number; dispatched: boolean }>(
      "SELECT (payload->'to'->>'visit')::int AS visit, dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE kind = 'rpcReply' AND task_id = $1", [first.id],
    ), (r) => r.rows.every((row) => row.dispatched), 10_000);
    expect(replies.rows).toEqual([{ visit: 1, dispatched: true }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.task(id)).toMatchObject({ status: "waiting", nodeId: "call", data: { label: "second" } });
    expect((await h.task(id)).data.answer).toBeUndefined();

    const t = await finished(id);
    expect(t).toMatchObject({ nodeId: "done", data: { label: "second", answer: "second" } });
    expect(await h.path(id)).toEqual([
      { nodeId: "s", event: "enter" }, { nodeId: "call", event: "enter" },
      { nodeId: "retry", event: "timer" }, { nodeId: "call", event: "timer" },
      { nodeId: "done", event: "rpcReply" },
    ]);
    expect((await history(id)).filter((r) => r.event === "rpcReply")).toHaveLength(1);
    expect((await children()).map((c) => [c.status, c.nodeId])).toEqual([["finished", "end"], ["finished", "end"]]);
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: caller })).toEqual({ call: 0, done: 1 });
  });

  it("Set State: a state diagram task moves on modification and other processes read it with {{conv[id].ref[r].p}}", async () => {
    /*  state diagram:  Start ─▶ active ⟲ (status == blocked ─▶ blocked) ; blocked ⟲ (status == active ─▶ active; status == closed ─▶ closed ✓)
     *  writer:         Start ─▶ modify (api_copy modify ref {{who}}: status = {{to}}) ─▶ done      (err ─▶ failed)
     *  reader:         Start ─▶ read (set_param from conv[state].ref[user-1]) ─▶ route (status == blocked ─▶ deny) ─▶ allow   */
    const state = await h.publish(buildScheme(
      startNode("s", "active"),
      logicNode("active", [{ type: "api_callback" }, when("blocked", ["status", "eq", "blocked"]), go("active")]),
      logicNode("blocked", [{ type: "api_callback" }, when("active", ["status", "eq", "active"]), when("closed", ["status", "eq", "closed"]), go("blocked")]),
      finalNode("closed"),
    ), { title: "users (state)", convType: "state" });
    const writer = await h.publish(buildScheme(
      startNode("s", "modify"),
      logicNode("modify", [{ type: "api_copy", mode: "modify", conv_id: state, ref: "{{who}}", group: "", data: { status: "{{to}}" }, data_type: { status: "string" }, is_sync: true, err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "users: writer" });
    const reader = await h.publish(buildScheme(
      startNode("s", "read"),
      logicNode("read", [setParam(
        { status: `{{conv[${state}].ref[user-1].status}}`, plan: `{{conv[${state}].ref[user-1].plan}}`, user: `{{conv[${state}].ref[user-1]}}`, ghost: `{{conv[${state}].ref[nobody].status}}` },
      ), go("route")]),
      logicNode("route", [when("deny", ["status", "eq", "blocked"]), go("allow")]),
      finalNode("allow"), finalNode("deny"),
    ), { title: "users: reader" });
    const read = async () => finished((await h.submit(reader, [{ data: {} }]))[0]);
    const write = async (to: string) => finished((await h.submit(writer, [{ data: { who: "user-1", to } }]))[0]);

    const [user] = await h.submit(state, [{ ref: "user-1", data: { status: "blocked", plan: "pro" } }]);
    // A match on entry does not forward: the task waits in its first state.
    await waitingAt(user, "active");
    const first = await read();
    expect(first).toMatchObject({ nodeId: "deny", data: { status: "blocked", plan: "pro", ghost: "" } });
    // The whole task reads as its data (JSON text when cast to string).
    expect(JSON.parse(String(first.data.user))).toEqual({ status: "blocked", plan: "pro" });

    expect(await write("active")).toMatchObject({ nodeId: "done", data: { __conveyor_copy_task_result__: "ok" } });
    expect(await h.task(user)).toMatchObject({ status: "waiting", nodeId: "active" });
    expect(await write("blocked")).toMatchObject({ nodeId: "done" });
    expect(await h.task(user)).toMatchObject({ status: "waiting", nodeId: "blocked", data: { status: "blocked", plan: "pro" } });
    expect(await read()).toMatchObject({ nodeId: "deny", data: { status: "blocked" } });

    // A modification that matches nothing keeps it where it is, on the same visit.
    await deliverCallback({ pool: h.pool, executor: h.executor, target: { processId: state, ref: "user-1" }, data: { note: "checked" } });
    const stayed = await h.pool.query<{ visits: Record<string, number> }>("SELECT state->'visits' AS visits FROM task WHERE id = $1", [user]);
    expect(stayed.rows[0].visits).toMatchObject({ active: 1, blocked: 1 });
    expect(await h.task(user)).toMatchObject({ status: "waiting", nodeId: "blocked", data: { note: "checked" } });

    await write("active");
    expect(await read()).toMatchObject({ nodeId: "allow", data: { status: "active", plan: "pro" } });
    await write("blocked");
    expect(await write("closed")).toMatchObject({ nodeId: "done" });
    expect(await h.task(user)).toMatchObject({ status: "finished", nodeId: "closed" });
    // A task in a final node is no longer a state: reads give "" and a modify finds nothing.
    expect(await read()).toMatchObject({ nodeId: "allow", data: { status: "", plan: "", user: "" } });
    expect(await write("active")).toMatchObject({ nodeId: "failed", data: { __conveyor_copy_task_return_type_tag__: "not_found_task" } });
    expect(await h.path(user)).toEqual([
      { nodeId: "s", event: "enter" }, { nodeId: "active", event: "enter" },
      { nodeId: "active", event: "callback" },
      { nodeId: "blocked", event: "callback" },
      { nodeId: "blocked", event: "callback" },
      { nodeId: "active", event: "callback" },
      { nodeId: "blocked", event: "callback" },
      { nodeId: "closed", event: "callback" },
    ]);
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: state })).toEqual({ active: 0, blocked: 0, closed: 1 });
  });
});

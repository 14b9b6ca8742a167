import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit } from "../engine/testing/builders.ts";
import { createSinkChannel } from "../server/alerts/testing/sink-channel.ts";
import type { HttpReceiver } from "../server/alerts/testing/receivers.ts";
import { deliverCallback } from "../server/tasks/deliver-callback.ts";
import { readNodeCounts } from "../server/tasks/node-counters.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { workerArgs } from "./node-args.ts";

/**
 * Crashes: a worker killed with SIGKILL in the middle of its batches, and Redis
 * losing everything mid-run. Every task must still end exactly once, and no
 * side effect (a copied task, an alert) may happen twice.
 */
const root = path.resolve(import.meta.dirname, "..");
let h: Harness;
let sink: HttpReceiver;

beforeAll(async () => {
  h = await createHarness({ startWorker: false, env: { HTTP_ALLOW_PRIVATE: "true" } });
  // The notify blocks need their channel to exist (else they take their error exit).
  sink = await createSinkChannel({ db: h.db, encryptionKey: h.config.ENCRYPTION_KEY, name: "ops" });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

/*  A: Start ─▶ copy (api_copy ─▶ B) ─▶ alert (notify) ─▶ done          B: Start ─▶ end  */
async function copyAndAlertProcesses() {
  const b = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "crash: B" });
  const a = await h.publish(buildScheme(
    startNode("s", "copy"),
    logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: b, ref: "", group: "all", data: {}, data_type: {}, err_node_id: "failed" }, go("alert")]),
    logicNode("alert", [{ type: "notify", channel: "ops", title: "task {{n}}", message: "task {{n}} copied", err_node_id: "failed" }, go("done")]),
    finalNode("done"), finalNode("failed", "error"),
  ), { title: "crash: A" });
  return { a, b };
}

/** How many tasks of a process took each path (node ids joined by ">"), from their history. */
async function pathCounts(processId: number): Promise<Array<{ path: string; n: number }>> {
  const { rows } = await h.pool.query<{ path: string; n: number }>(
    `SELECT path, count(*)::int AS n FROM (
       SELECT h.task_id, string_agg(p->>'nodeId', '>' ORDER BY h.id, o) AS path
       FROM task_history h, jsonb_array_elements(h.data->'path') WITH ORDINALITY AS x(p, o)
       WHERE h.process_id = $1 GROUP BY h.task_id) t GROUP BY path`,
    [processId],
  );
  return rows;
}

describe("crash recovery (real PostgreSQL + Redis)", () => {
  it("a worker killed with SIGKILL mid-batch: every task ends exactly once, no duplicated copy or alert", async () => {
    const { a, b } = await copyAndAlertProcesses();
    const N = 3000;
    const child = spawn(process.execPath, workerArgs(), {
      cwd: root, env: { ...process.env, ...h.config, WORKER_CONCURRENCY: "8", PORT: String(h.config.PORT) } as unknown as NodeJS.ProcessEnv, stdio: "ignore",
    });
    await h.waitFor("worker heartbeat", () => h.redis.keys(`${h.config.QUEUE_PREFIX}:worker:heartbeat:*`), (k) => k.length > 0);
    const ids: string[] = [];
    for (let i = 0; i < N; i += 100) ids.push(...(await h.submit(a, Array.from({ length: 100 }, (_, k) => ({ data: { n: i + k } })))));
    const done = () => h.db.task.count({ where: { processId: a, status: "finished" } });
    // Kill it while it is in the middle of the work.
    await h.waitFor("some progress", done, (n) => n > 0, 30_000);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const atKill = await done();
    expect(atKill).toBeLessThan(N);

    await h.startWorker();
    await h.waitFor("all tasks finished", done, (n) => n === N, 60_000);

    // Exactly once: each task was committed once (seq 1), its history passes each node once, it made one copy and one alert.
    const bad = await h.pool.query("SELECT count(*)::int AS n FROM task WHERE process_id = $1 AND (seq <> 1 OR node_id <> 'done')", [a]);
    expect(bad.rows[0].n).toBe(0);
    const paths = await pathCounts(a);
    expect(paths).toEqual([{ path: "s>copy>alert>done", n: N }]);
    const copies = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT data->>'copy_ref_id')::int AS d FROM task WHERE process_id = $1", [b]);
    expect(copies.rows[0]).toEqual({ n: N, d: N });
    const alerts = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM alert WHERE kind = 'notify' AND task_id = ANY($1::uuid[])", [ids]);
    expect(alerts.rows[0]).toEqual({ n: N, d: N });
    // Counter moves the killed worker committed but never applied are in the outbox: the reconciler
    // applies them (once) after they are 10 s old, and Redis agrees with PostgreSQL again.
    const truth = await h.db.task.groupBy({ by: ["nodeId"], where: { processId: a, seq: { gt: 0 } }, _count: true });
    const expected = Object.fromEntries(truth.map((t) => [t.nodeId, t._count]));
    expect(expected).toEqual({ done: N });
    await h.waitFor("counters consistent", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: a }), (c) => JSON.stringify(c) === JSON.stringify(expected), 30_000);
    await h.worker?.stop();
    h.worker = null;
  }, 120_000);

  it("Redis flushed mid-run: the reconciler restores timers and queued work from PostgreSQL; nothing lost, nothing twice", async () => {
    /*  Start ─▶ wait (delay until {{fire_at}}) ─timeout─▶ alert (notify) ─▶ done  */
    const pid = await h.publish(buildScheme(
      startNode("s", "wait"),
      logicNode("wait", [], [timeLimit("{{fire_at}}", "alert")]),
      logicNode("alert", [{ type: "notify", channel: "ops", message: "fired {{n}}", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "crash: flush" });
    await h.startWorker();
    const fireAt = Math.floor(Date.now() / 1000) + 3;
    const parked = await h.submit(pid, Array.from({ length: 300 }, (_, n) => ({ data: { n, fire_at: fireAt } })));
    await h.waitFor("all parked", () => h.db.task.count({ where: { processId: pid, status: "waiting" } }), (n) => n === 300);
    // Stop the worker so the next tasks' work exists only in Redis, then lose Redis.
    await h.worker!.stop();
    h.worker = null;
    const queued = await h.submit(pid, Array.from({ length: 200 }, (_, n) => ({ data: { n: 300 + n, fire_at: fireAt } })));
    await h.redis.flushdb();
    expect(await h.redis.dbsize()).toBe(0);

    await h.startWorker();
    const all = [...parked, ...queued];
    await h.waitFor("all finished after the flush", () => h.db.task.count({ where: { processId: pid, status: "finished", nodeId: "done" } }), (n) => n === 500, 60_000);
    const alerts = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM alert WHERE kind = 'notify' AND task_id = ANY($1::uuid[])", [all]);
    expect(alerts.rows[0]).toEqual({ n: 500, d: 500 });
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).toMatchObject({ done: 500 });
  }, 120_000);

  it("Redis flushed while the worker is busy: copies, calls, callbacks and queue takes all end exactly once; counters match PostgreSQL", async () => {
    /*  B (copy target): Start ─▶ end
     *  C (callee):      Start ─▶ hold (delay until {{until}}) ─▶ reply (answer = {{n}}) ─▶ end
     *  Q (queue):       Start ─▶ queue (api_queue +{from: Q}) ─▶ taken
     *  A: Start ─▶ copy (api_copy ─▶ B) ─▶ call (api_rpc ─▶ C) ─▶ cb (api_callback) ─▶ take (api_get_task Q) ─▶ alert (notify) ─▶ done
     *     (errors ─▶ failed ✗; time limits of 1 day ─▶ late ✗; empty queue ─▶ empty ✗)                                          */
    const b = await h.publish(buildScheme(startNode("s", "end"), finalNode("end")), { title: "flush: B" });
    const c = await h.publish(buildScheme(
      startNode("s", "hold"),
      logicNode("hold", [], [timeLimit("{{until}}", "reply")]),
      logicNode("reply", [{ type: "api_rpc_reply", mode: "key_value", res_data: { answer: "{{n}}" }, res_data_type: { answer: "string" }, throw_exception: false }, go("end")]),
      finalNode("end"),
    ), { title: "flush: C" });
    const q = await h.publish(buildScheme(startNode("s", "queue"), logicNode("queue", [{ type: "api_queue", data: { from: "Q" }, data_type: { from: "string" } }, go("taken")]), finalNode("taken")), { title: "flush: Q" });
    const a = await h.publish(buildScheme(
      startNode("s", "copy"),
      logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: b, ref: "", group: "all", data: {}, data_type: {}, err_node_id: "failed" }, go("call")]),
      logicNode("call", [{ type: "api_rpc", conv_id: c, group: "", extra: { n: "{{n}}", until: "{{until}}" }, extra_type: { n: "string", until: "string" }, err_node_id: "failed" }, go("cb")], [timeLimit(1, "late", "day")]),
      logicNode("cb", [{ type: "api_callback", is_sync: true }, go("take")], [timeLimit(1, "late", "day")]),
      logicNode("take", [{ type: "api_get_task", conv_id: q, node_id: "queue", order_by: "ASC", err_node_id: "empty" }, go("alert")]),
      logicNode("alert", [{ type: "notify", channel: "ops", title: "flush run", message: "flush-run task {{n}}", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"), finalNode("late", "error"), finalNode("empty", "error"),
    ), { title: "flush: A" });
    const N = 200;
    if (!h.worker) await h.startWorker();
    const queued: string[] = [];
    for (let i = 0; i < N; i += 50) queued.push(...(await h.submit(q, Array.from({ length: 50 }, (_, k) => ({ data: { qn: i + k } })))));
    await h.waitFor("the queue filled", () => h.db.task.count({ where: { processId: q, status: "waiting", nodeId: "queue" } }), (n) => n === N);

    // Callbacks, as an outside system would send them, to every task that reaches cb.
    const called = new Map<string, number>();
    const refused: string[] = [];
    let stop = false;
    const caller = (async () => {
      while (!stop) {
        const waiting = await h.pool.query<{ id: string }>("SELECT id FROM task WHERE process_id = $1 AND node_id = 'cb' AND status = 'waiting'", [a]);
        await Promise.all(waiting.rows.filter((r) => !called.has(r.id)).map(async ({ id }) => {
          called.set(id, (called.get(id) ?? 0) + 1);
          await deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: id }, data: { approved: "yes" } }).catch((e: Error) => refused.push(`${id}: ${e.message}`));
        }));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    // A stream of tasks: 20 batches of 10, one every 150 ms; each callee holds its task for 1 s.
    const ids: string[] = [];
    let flushedAt = -1;
    const flushOnce = async () => {
      if (flushedAt >= 0) return;
      const done = await h.db.task.count({ where: { processId: a, status: "finished" } });
      if (done < N / 8) return;
      flushedAt = ids.length;
      await h.redis.flushdb();
    };
    for (let i = 0; i < N; i += 10) {
      const until = String(Math.floor(Date.now() / 1000) + 1);
      ids.push(...(await h.submit(a, Array.from({ length: 10 }, (_, k) => ({ data: { n: String(i + k), until } })))));
      await flushOnce();
      await new Promise((r) => setTimeout(r, 150));
    }
    await h.waitFor("the flush, mid-run", async () => (await flushOnce(), flushedAt), (f) => f >= 0, 30_000);
    const atFlush = await h.pool.query<{ node_id: string; status: string; n: number }>("SELECT node_id, status, count(*)::int AS n FROM task WHERE process_id = $1 GROUP BY 1, 2", [a]);
    // The flush came while work was everywhere: tasks finished, and others still on their way.
    expect(atFlush.rows.find((r) => r.node_id === "done")?.n ?? 0).toBeLessThan(N);

    const finished = () => h.db.task.count({ where: { processId: a, status: "finished" } });
    await h.waitFor("all tasks finished after the flush", finished, (n) => n === N, 90_000);
    stop = true;
    await caller;

    // Every task went the whole way once.
    const ends = await h.pool.query("SELECT node_id, count(*)::int AS n FROM task WHERE process_id = $1 GROUP BY 1", [a]);
    expect(ends.rows).toEqual([{ node_id: "done", n: N }]);
    const paths = await pathCounts(a);
    expect(paths).toEqual([{ path: "s>copy>call>cb>take>alert>done", n: N }]);
    expect(refused).toEqual([]);
    expect([...called.values()].every((n) => n === 1) && called.size === N).toBe(true);

    // One copy per task.
    const copies = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT data->>'copy_ref_id')::int AS d FROM task WHERE process_id = $1", [b]);
    expect(copies.rows[0]).toEqual({ n: N, d: N });
    // One call per task, answered once with its own number.
    const callees = await h.pool.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'finished' AND node_id = 'end')::int AS ended FROM task WHERE process_id = $1", [c]);
    expect(callees.rows[0]).toEqual({ n: N, ended: N });
    const answered = await h.pool.query("SELECT count(*)::int AS n FROM task WHERE process_id = $1 AND data->>'answer' = data->>'n'", [a]);
    expect(answered.rows[0].n).toBe(N);
    // Steps moved by a reply: a history row holds one task's steps of one unit of work, each path entry
    // names its event, so a step starts where the event changes (a duplicated reply moves nothing).
    const rpcSteps = await h.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM (
         SELECT h.task_id, coalesce(p->>'event', h.event) AS ev, lag(coalesce(p->>'event', h.event)) OVER (PARTITION BY h.id ORDER BY o) AS prev
         FROM task_history h, jsonb_array_elements(h.data->'path') WITH ORDINALITY AS x(p, o) WHERE h.process_id = $1) s
       WHERE ev = 'rpcReply' AND prev IS DISTINCT FROM 'rpcReply'`,
      [a],
    );
    expect(rpcSteps.rows[0]).toEqual({ n: N, d: N });
    // The queue drained one task per taker, each taker with the data of its own.
    const takes = await h.pool.query<{ n: number; d: number; right: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT t.data->>'__queue_task_id__')::int AS d,
              count(*) FILTER (WHERE (t.data->'__queue_task_data__') = (qt.data || '{"from":"Q"}'::jsonb))::int AS right
       FROM task t JOIN task qt ON qt.id = (t.data->>'__queue_task_id__')::uuid WHERE t.process_id = $1`,
      [a],
    );
    expect(takes.rows[0]).toEqual({ n: N, d: N, right: N });
    expect(await h.db.task.count({ where: { processId: q, status: "finished", nodeId: "taken" } })).toBe(N);
    // One alert per task, delivered once.
    const alerts = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM alert WHERE kind = 'notify' AND task_id = ANY($1::uuid[])", [ids]);
    expect(alerts.rows[0]).toEqual({ n: N, d: N });
    await h.waitFor("alerts sent", async () => (await h.pool.query("SELECT count(*)::int AS n FROM alert WHERE process_id = $1 AND status = 'sent'", [a])).rows[0].n, (n) => n === N, 60_000);
    expect(await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM alert WHERE process_id = $1", [a]).then((r) => r.rows[0])).toEqual({ n: N, d: N });
    expect(sink.requests.filter((r) => r.body.includes("flush-run task"))).toHaveLength(N);

    // Node counters: Redis agrees with PostgreSQL for every process of the run.
    for (const pid of [a, b, c, q]) {
      const truth = await h.db.task.groupBy({ by: ["nodeId"], where: { processId: pid, seq: { gt: 0 } }, _count: true });
      const expected = Object.fromEntries(truth.map((t) => [t.nodeId, t._count]));
      const nonZero = async () => Object.fromEntries(Object.entries(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).filter(([, v]) => v !== 0));
      await h.waitFor(`counters of process ${pid} consistent`, nonZero, (got) => JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(expected).sort()), 30_000);
    }
  }, 180_000);
});

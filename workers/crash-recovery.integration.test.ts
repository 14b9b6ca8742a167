import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit } from "../engine/testing/builders.ts";
import { createSinkChannel } from "../server/alerts/testing/sink-channel.ts";
import type { HttpReceiver } from "../server/alerts/testing/receivers.ts";
import { readNodeCounts } from "../server/tasks/node-counters.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";

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

describe("crash recovery (real PostgreSQL + Redis)", () => {
  it("a worker killed with SIGKILL mid-batch: every task ends exactly once, no duplicated copy or alert", async () => {
    const { a, b } = await copyAndAlertProcesses();
    const N = 3000;
    const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", path.join(root, "workers/main.ts")], {
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
    const paths = await h.pool.query<{ path: string; n: number }>(
      `SELECT path, count(*)::int AS n FROM (
         SELECT h.task_id, string_agg(p->>'nodeId', '>' ORDER BY h.id, o) AS path
         FROM task_history h, jsonb_array_elements(h.data->'path') WITH ORDINALITY AS x(p, o)
         WHERE h.process_id = $1 GROUP BY h.task_id) t GROUP BY path`,
      [a],
    );
    expect(paths.rows).toEqual([{ path: "s>copy>alert>done", n: N }]);
    const copies = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT data->>'copy_ref_id')::int AS d FROM task WHERE process_id = $1", [b]);
    expect(copies.rows[0]).toEqual({ n: N, d: N });
    const alerts = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM outbox WHERE kind = 'notify' AND task_id = ANY($1::uuid[])", [ids]);
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
    const alerts = await h.pool.query("SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS d FROM outbox WHERE kind = 'notify' AND task_id = ANY($1::uuid[])", [all]);
    expect(alerts.rows[0]).toEqual({ n: 500, d: 500 });
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).toMatchObject({ done: 500 });
  }, 120_000);
});

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { createDb, type Db } from "../server/db/client.ts";
import { createProcess, publishProcess } from "../server/processes/process-service.ts";
import { DEMO_NODE_IDS, DEMO_PARAMS, demoScheme } from "../server/seed/demo-process.ts";
import { createTasks } from "../server/tasks/create-tasks.ts";
import { applyCounterDeltasOnce, countersFenceKey, readNodeCounts } from "../server/tasks/node-counters.ts";
import { RECONCILE_LOCK_TTL_MS, reconcile } from "../server/tasks/reconcile.ts";
import { submitTasks } from "../server/tasks/submit-tasks.ts";
import { createLogger } from "../server/logger.ts";
import { createPool, type Pool } from "../server/db/pool.ts";
import { ProcessCatalog } from "../server/execution/catalog.ts";
import { createExecutor } from "../server/execution/executor.ts";
import { testEnv } from "../server/testing/test-env.ts";
import { createDispatcher, DISPATCHED_KINDS } from "./dispatcher.ts";
import { createProducer, type Producer } from "./queues.ts";
import { startWorker, type RunningWorker } from "./start-worker.ts";

/**
 * The step worker against the real PostgreSQL and Redis, on the demo process:
 *
 *   Start ─▶ Is console sign-in? ─(eventType == AwsConsoleSignIn)─▶ Console sign-in
 *                    └─(otherwise)─▶ Other events
 */
const config = loadConfig(testEnv());
let db: Db;
let pool: Pool;
let redis: Redis;
let dispatcher: ReturnType<typeof createDispatcher>;
let producer: Producer;
let worker: RunningWorker;

async function newProcess(title: string): Promise<number> {
  const { id } = await createProcess({ db, title, scheme: demoScheme(), params: DEMO_PARAMS });
  await publishProcess({ db, processId: id });
  return id;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const testExecutor = () => createExecutor({ pool, redis, prefix: config.QUEUE_PREFIX, catalog: new ProcessCatalog(pool), dispatcher, options: {}, log: createLogger({ name: "t", level: "silent" }) });

const finishedCount = (processId: number) => db.task.count({ where: { processId, status: "finished" } });

beforeAll(async () => {
  db = createDb({ databaseUrl: config.DATABASE_URL });
  pool = createPool({ databaseUrl: config.DATABASE_URL });
  redis = new Redis(config.REDIS_URL);
  dispatcher = createDispatcher({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  await redis.flushdb();
  producer = createProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  worker = await startWorker({ config, workerId: "test-worker", reconcileEveryMs: 3_600_000 });
});

afterAll(async () => {
  await worker?.stop();
  await producer?.close();
  await dispatcher?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await pool?.end();
});

describe("step worker (real PostgreSQL + Redis)", () => {
  it("moves every task to the final its condition picks, records its path, and counts it", async () => {
    const processId = await newProcess("worker: routing");
    const tasks = Array.from({ length: 40 }, (_, i) => ({ data: { eventType: i % 4 === 0 ? "AwsConsoleSignIn" : "AwsApiCall", n: i } }));
    const res = await submitTasks({ pool, enqueue: (t) => producer.enqueueEnter(t), processId, tasks, taskSizeLimit: config.TASK_SIZE_LIMIT_BYTES });
    expect(res.created).toHaveLength(40);
    await waitFor("all tasks finished", () => finishedCount(processId), (n) => n === 40);

    const byNode = await db.task.groupBy({ by: ["nodeId"], where: { processId }, _count: true });
    expect(Object.fromEntries(byNode.map((r) => [r.nodeId, r._count]))).toEqual({ [DEMO_NODE_IDS.signIn]: 10, [DEMO_NODE_IDS.other]: 30 });
    const counts = await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId });
    expect(counts).toEqual({ [DEMO_NODE_IDS.signIn]: 10, [DEMO_NODE_IDS.other]: 30 });

    const one = await db.task.findFirstOrThrow({ where: { processId, nodeId: DEMO_NODE_IDS.signIn } });
    const history = await db.taskHistory.findMany({ where: { taskId: one.id }, orderBy: { id: "asc" } });
    // One history row for the one step; its path lists every node passed, in order.
    expect(history).toHaveLength(1);
    expect((history[0].data as { path: Array<{ nodeId: string }> }).path.map((p) => p.nodeId)).toEqual([DEMO_NODE_IDS.start, DEMO_NODE_IDS.condition, DEMO_NODE_IDS.signIn]);
    expect(one).toMatchObject({ status: "finished", finalKind: "success", seq: 1, prevNodeId: DEMO_NODE_IDS.condition });
    expect(one.finishedAt).not.toBeNull();
  });

  it("ignores a duplicated or stale step job: nothing moves or counts twice", async () => {
    const processId = await newProcess("worker: idempotent");
    const { created } = await createTasks({ pool, processId, tasks: [{ data: { eventType: "AwsConsoleSignIn" } }], taskSizeLimit: 1e6 });
    const executor = testExecutor();
    const job = { taskId: created[0].id, seq: 0, event: { type: "enter" as const } };
    // Three deliveries of the same job at once: one moves the task, the others find it locked or moved.
    const results = await Promise.all([executor.run([job]), executor.run([job]), executor.run([job])]);
    const outcomes = results.map((r) => r.outcomes.get(job.taskId)?.outcome);
    expect(outcomes.filter((o) => o === "moved")).toHaveLength(1);
    expect(outcomes.every((o) => o === "moved" || o === "busy" || o === "stale")).toBe(true);
    expect((await executor.run([job])).outcomes.get(job.taskId)?.outcome).toBe("stale");
    expect(await db.taskHistory.count({ where: { taskId: created[0].id } })).toBe(1);
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.signIn]: 1 });
  });

  it("a task whose enqueue was lost is picked up by the reconciler", async () => {
    const processId = await newProcess("worker: lost enqueue");
    // Simulate a crash between commit and enqueue: tasks stored, no jobs.
    await createTasks({ pool, processId, tasks: [{ data: { eventType: "AwsApiCall" } }, { data: { eventType: "AwsConsoleSignIn" } }], taskSizeLimit: 1e6 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await finishedCount(processId)).toBe(0);
    const r = await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS, staleAfterMs: 0 });
    expect(r.requeued).toBeGreaterThanOrEqual(2);
    await waitFor("reconciled tasks finished", () => finishedCount(processId), (n) => n === 2);
  });

  it("after Redis loses everything, the reconciler rebuilds node counters from PostgreSQL", async () => {
    const processId = await newProcess("worker: flush");
    await submitTasks({ pool, enqueue: (t) => producer.enqueueEnter(t), processId, tasks: [{ data: { eventType: "AwsApiCall" } }, { data: { eventType: "AwsApiCall" } }, { data: { eventType: "AwsConsoleSignIn" } }], taskSizeLimit: 1e6 });
    await waitFor("finished", () => finishedCount(processId), (n) => n === 3);
    await redis.flushdb();
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({});
    const r = await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS });
    expect(r.rebuiltCounters).toBeGreaterThanOrEqual(1);
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.signIn]: 1, [DEMO_NODE_IDS.other]: 2 });
  });

  it("a process's counter hash still missing when its first unit has committed but not applied its move: counted once", async () => {
    const processId = await newProcess("worker: missing hash, move in flight");
    await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS }); // not a reset pass next
    // A committed unit of work: two tasks moved into a node, and its counter move not applied yet (no hash).
    const { publishedVersionId } = await db.process.findUniqueOrThrow({ where: { id: processId } });
    await pool.query(
      `INSERT INTO task (id, process_id, version_id, node_id, status, data, seq)
       VALUES (gen_random_uuid(), $1, $2, $3, 'finished', '{}', 1), (gen_random_uuid(), $1, $2, $3, 'finished', '{}', 1)`,
      [processId, publishedVersionId, DEMO_NODE_IDS.other],
    );
    const deltas = [{ processId, nodeId: DEMO_NODE_IDS.other, delta: 2 }];
    const { rows: [row] } = await pool.query<{ id: string }>("INSERT INTO outbox (job_key, kind, payload) VALUES ($1, 'counters', $2) RETURNING id", [`counters:in-flight-${processId}`, JSON.stringify({ deltas })]);
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({});
    // The reconciler sees the missing hash and rebuilds it from PostgreSQL; then the unit's own move arrives.
    const r = await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS });
    expect(r.redisWasReset).toBe(false);
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.other]: 2 });
    expect(await applyCounterDeltasOnce({ redis, prefix: config.QUEUE_PREFIX, rowId: row.id, deltas })).toBeNull();
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.other]: 2 });
  });

  it("after a flush, counters a busy worker re-created half-empty are rebuilt too; moves wait while the rebuild holds its fence", async () => {
    const processId = await newProcess("worker: flush while busy");
    await submitTasks({ pool, enqueue: (t) => producer.enqueueEnter(t), processId, tasks: [{ data: { eventType: "AwsApiCall" } }, { data: { eventType: "AwsConsoleSignIn" } }], taskSizeLimit: 1e6 });
    await waitFor("finished", () => finishedCount(processId), (n) => n === 2);
    await redis.flushdb();
    // A unit committed after the flush applies its move: the hash exists again, with one node in it.
    expect(await applyCounterDeltasOnce({ redis, prefix: config.QUEUE_PREFIX, rowId: "after-flush-1", deltas: [{ processId, nodeId: DEMO_NODE_IDS.other, delta: 1 }] })).toEqual([1]);
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.other]: 1 });
    await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS });
    expect(await readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId })).toEqual({ [DEMO_NODE_IDS.signIn]: 1, [DEMO_NODE_IDS.other]: 1 });
    // While the fence is up a move is not applied (and not marked), then it goes through.
    await redis.set(countersFenceKey(config.QUEUE_PREFIX), "1", "PX", 5_000);
    const deltas = [{ processId, nodeId: DEMO_NODE_IDS.other, delta: 1 }];
    expect(await applyCounterDeltasOnce({ redis, prefix: config.QUEUE_PREFIX, rowId: "fenced-1", deltas, waitMs: 100 })).toBe("fenced");
    await redis.del(countersFenceKey(config.QUEUE_PREFIX));
    expect(await applyCounterDeltasOnce({ redis, prefix: config.QUEUE_PREFIX, rowId: "fenced-1", deltas })).toEqual([2]);
    expect(await applyCounterDeltasOnce({ redis, prefix: config.QUEUE_PREFIX, rowId: "fenced-1", deltas })).toBeNull();
  });

  it("one reconciler at a time, on a short lease: a lock left by a killed worker stops the others for seconds, not a minute", async () => {
    const processId = await newProcess("worker: reconcile lock");
    await createTasks({ pool, processId, tasks: [{ data: { eventType: "AwsApiCall" } }], taskSizeLimit: 1e6 });
    const lock = `${config.QUEUE_PREFIX}:reconcile:lock`;
    const run = () => reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher: leaseWatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS, staleAfterMs: 0 });
    // While a pass runs, its lock never lives longer than the lease.
    const seen: number[] = [];
    const leaseWatcher = {
      dispatch: async (rows: Parameters<typeof dispatcher.dispatch>[0]) => { seen.push(await redis.pttl(lock)); return dispatcher.dispatch(rows); },
      enqueueSteps: async (steps: Parameters<typeof dispatcher.enqueueSteps>[0]) => { seen.push(await redis.pttl(lock)); return dispatcher.enqueueSteps(steps); },
    };
    expect((await run()).requeued).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((ms) => ms > 0 && ms <= RECONCILE_LOCK_TTL_MS)).toBe(true);
    expect(await redis.exists(lock)).toBe(0);
    // A pass that died holding the lock (its lease is what is left): the next pass skips, and the lock expires by itself.
    await redis.set(lock, "a-killed-worker", "PX", 300);
    expect((await run()).requeued).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    await createTasks({ pool, processId, tasks: [{ data: { eventType: "AwsApiCall" } }], taskSizeLimit: 1e6 });
    expect((await run()).requeued).toBeGreaterThanOrEqual(1);
    // A pass does not free a lock another worker holds.
    await redis.set(lock, "another-worker", "PX", 5_000);
    await run();
    expect(await redis.get(lock)).toBe("another-worker");
    await redis.del(lock);
    await waitFor("requeued tasks finished", () => finishedCount(processId), (n) => n === 2);
  });

  it("a reset pass that fails half-way is redone by the next pass, not forgotten", async () => {
    const processId = await newProcess("worker: reset pass fails");
    await submitTasks({ pool, enqueue: (t) => producer.enqueueEnter(t), processId, tasks: [{ data: { eventType: "AwsApiCall" } }], taskSizeLimit: 1e6 });
    await waitFor("finished", () => finishedCount(processId), (n) => n === 1);
    await redis.flushdb();
    // A task whose work exists nowhere, so the pass has something to restore…
    await createTasks({ pool, processId, tasks: [{ data: { eventType: "AwsApiCall" } }], taskSizeLimit: 1e6 });
    // …and a queue that fails under it (Redis or the network gave out).
    const failing = { dispatch: async () => { throw new Error("queue unavailable"); }, enqueueSteps: async () => { throw new Error("queue unavailable"); } };
    await expect(reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher: failing, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS })).rejects.toThrow("queue unavailable");
    const again = await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS });
    expect(again.redisWasReset).toBe(true);
    expect(again.requeued).toBeGreaterThanOrEqual(1);
    expect(again.rebuiltCounters).toBeGreaterThanOrEqual(1);
    // Done once: the pass after that is an ordinary one.
    expect((await reconcile({ pool, redis, prefix: config.QUEUE_PREFIX, dispatcher, applyCounters: testExecutor().applyCounters, dispatchedKinds: DISPATCHED_KINDS })).redisWasReset).toBe(false);
    await waitFor("the restored task finished", () => finishedCount(processId), (n) => n === 2);
    // The running worker may move the requeued task before or after the rebuild reads PostgreSQL; either
    // way both tasks count once (without the rebuild the flushed first one would be missing).
    // (Counter moves are applied just after each commit: wait for them, then compare exactly.)
    const counts = await waitFor("counters", () => readNodeCounts({ redis, prefix: config.QUEUE_PREFIX, processId }), (c) => c[DEMO_NODE_IDS.other] >= 2);
    expect(counts).toEqual({ [DEMO_NODE_IDS.other]: 2 });
  });

  it("a redelivered ref creates no second live task", async () => {
    const processId = await newProcess("worker: refs");
    // Park-free process: tasks finish at once, so reuse the ref while the first is still live by not enqueueing it.
    const first = await createTasks({ pool, processId, tasks: [{ ref: "evt-1", data: { eventType: "AwsApiCall" } }, { ref: "evt-1", data: { eventType: "AwsApiCall" } }], taskSizeLimit: 1e6 });
    expect(first.created).toHaveLength(1);
    expect(first.duplicates).toEqual([{ ref: "evt-1", index: 1 }]);
    const again = await createTasks({ pool, processId, tasks: [{ ref: "evt-1", data: {} }, { ref: "evt-2", data: {} }], taskSizeLimit: 1e6 });
    expect(again.created.map((c) => c.ref)).toEqual(["evt-2"]);
    expect(again.duplicates.map((d) => d.ref)).toEqual(["evt-1"]);
  });
});

import { Redis } from "ioredis";
import { loadConfig, type AppConfig } from "../config.ts";
import { createDb, type Db } from "../db/client.ts";
import { createPool, type Pool } from "../db/pool.ts";
import { createLogger } from "../logger.ts";
import { ProcessCatalog } from "../execution/catalog.ts";
import { createExecutor, type Executor } from "../execution/executor.ts";
import { createProcess, publishProcess, type SchemeJson } from "../processes/process-service.ts";
import { submitTasks } from "../tasks/submit-tasks.ts";
import { createDispatcher } from "../../workers/dispatcher.ts";
import { createProducer, type Producer } from "../../workers/queues.ts";
import { startWorker, type RunningWorker } from "../../workers/start-worker.ts";
import { testEnv } from "./test-env.ts";

/**
 * Integration-test harness: the real worker (BullMQ on the test Redis, the
 * test PostgreSQL) plus helpers to publish processes and submit tasks.
 */
export interface Harness {
  config: AppConfig;
  db: Db;
  pool: Pool;
  redis: Redis;
  producer: Producer;
  executor: Executor;
  worker: RunningWorker | null;
  publish(scheme: SchemeJson | { nodes: unknown[] }, opts?: { title?: string; convType?: "process" | "state" }): Promise<number>;
  submit(processId: number, tasks: Array<{ ref?: string; data: Record<string, unknown> }>): Promise<string[]>;
  waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number): Promise<T>;
  task(id: string): Promise<{ id: string; nodeId: string; status: string; finalKind: string | null; data: Record<string, unknown>; seq: number }>;
  /** The nodes a task passed, across its steps, with the event of each step. */
  path(taskId: string): Promise<Array<{ nodeId: string; event: string }>>;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export async function createHarness({ flush = true, startWorker: start = true, env = {} }: { flush?: boolean; startWorker?: boolean; env?: Record<string, string> } = {}): Promise<Harness> {
  const config = loadConfig({ ...testEnv(), ...env });
  const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: 4 });
  const pool = createPool({ databaseUrl: config.DATABASE_URL, max: 6 });
  const redis = new Redis(config.REDIS_URL);
  if (flush) await redis.flushdb();
  const producer = createProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const dispatcher = createDispatcher({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, pool });
  const executor = createExecutor({ pool, redis, prefix: config.QUEUE_PREFIX, catalog: new ProcessCatalog(pool, 0), dispatcher, options: { taskSizeLimit: config.TASK_SIZE_LIMIT_BYTES }, log: createLogger({ name: "test", level: "silent" }) });
  const h: Harness = {
    config, db, pool, redis, producer, executor, worker: null,
    async publish(scheme, opts = {}) {
      const { id } = await createProcess({ db, title: opts.title ?? "test process", scheme: scheme as SchemeJson, convType: opts.convType });
      await publishProcess({ db, processId: id });
      return id;
    },
    async submit(processId, tasks) {
      const res = await submitTasks({ pool, enqueue: (t) => producer.enqueueEnter(t), processId, tasks, taskSizeLimit: config.TASK_SIZE_LIMIT_BYTES });
      return res.created.map((c) => c.id);
    },
    async waitFor(what, fn, ok, timeoutMs = 20_000) {
      const t0 = Date.now();
      for (;;) {
        const v = await fn();
        if (ok(v)) return v;
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async task(id) {
      const t = await db.task.findUniqueOrThrow({ where: { id }, select: { id: true, nodeId: true, status: true, finalKind: true, data: true, seq: true } });
      return { ...t, data: t.data as Record<string, unknown> };
    },
    async path(taskId) {
      const rows = await db.taskHistory.findMany({ where: { taskId }, orderBy: { id: "asc" }, select: { event: true, data: true } });
      return rows.flatMap((r) => (r.data as { path: Array<{ nodeId: string; event?: string }> }).path.map((p) => ({ nodeId: p.nodeId, event: p.event ?? r.event })));
    },
    async startWorker() {
      h.worker = await startWorker({ config, workerId: `test-${process.pid}-${Date.now()}`, reconcileEveryMs: 500 });
      return h.worker;
    },
    async close() {
      await h.worker?.stop();
      await producer.close();
      await dispatcher.close();
      redis.disconnect();
      await db.$disconnect();
      await pool.end();
    },
  };
  if (start) await h.startWorker();
  return h;
}

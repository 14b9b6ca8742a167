import type { Redis } from "ioredis";
import type { Pool, PoolClient } from "../db/pool.ts";
import type { Logger } from "../logger.ts";
import { countSignal, findNode, type Command, type CountSignal, type StepOptions } from "../../engine/index.ts";
import type { RunnableTarget } from "./catalog.ts";
import { applyCounterDeltasOnce, type CounterDelta } from "../tasks/node-counters.ts";
import type { ProcessCatalog } from "./catalog.ts";
import { createMetricsRecorder } from "../observability/metrics.ts";
import { createLookupSource, sumsKey } from "./lookups.ts";
import { persistUnit } from "./persist.ts";
import type { AlertJobRef } from "../alerts/alert-store.ts";
import { UnitOfWork, type ItemOutcome, type StepItem } from "./unit-of-work.ts";

/** After-commit side effects the executor hands to the queue layer (workers/). */
export interface Dispatcher {
  /** Enqueue the outbox rows' work; returns the ids that are now in Redis. */
  dispatch(rows: Array<{ id: number; key: string; kind: string; payload: unknown }>): Promise<number[]>;
  enqueueSteps(items: Array<{ taskId: string; seq?: number; event: StepItem["event"] }>): Promise<void>;
  /** Enqueue the delivery jobs of alerts written in a step (idempotent by job id). */
  enqueueAlerts(refs: AlertJobRef[]): Promise<void>;
}

export interface ExecuteResult {
  outcomes: Map<string, { outcome: ItemOutcome; reason?: string; tag?: string }>;
}

export interface Executor {
  /** Moves the items' tasks in one transaction, then carries out what the step decided. */
  run(items: StepItem[]): Promise<ExecuteResult>;
  /**
   * All or nothing: commits only if every item moved its task (one item per task), else rolls
   * back and says what each item would have done. An effect answers its origin and acts on
   * another task together this way, so a duplicate whose origin has moved on acts on nothing.
   */
  runAtomic(items: StepItem[]): Promise<ExecuteResult & { committed: boolean }>;
  /** Applies a `counters` outbox row (idempotent), firing count-semaphor signals it crosses. */
  applyCounters(rowId: number, deltas: CounterDelta[]): Promise<void>;
}

/** Rolls back a unit of work in which not every item moved. */
class NotAllMoved extends Error {
  constructor(readonly outcomes: ExecuteResult["outcomes"]) {
    super("not every item moved");
  }
}

/** Which tasks and processes a unit of work moved (capped), for log lines about it. */
function stepIds(unit: UnitOfWork): { taskIds: string[]; processIds: number[] } {
  return { taskIds: unit.history.slice(0, 20).map((h) => h.taskId), processIds: [...new Set(unit.history.map((h) => h.processId))] };
}

/**
 * The durable heart of the worker. One call = one transaction: lock the
 * tasks, move them with the engine (children created inline), write tasks,
 * history and outbox. After the commit: node counters (and count-semaphor
 * signal tasks), sums, and the outbox dispatched to the queues and marked.
 * If the process dies after the commit, the reconciler dispatches the rows
 * that were never marked; every dispatch is idempotent by its job key.
 */
export function createExecutor({ pool, redis, prefix, catalog, dispatcher, options, log }: {
  pool: Pool;
  redis: Redis;
  prefix: string;
  catalog: ProcessCatalog;
  dispatcher: Dispatcher;
  options: StepOptions;
  log: Logger;
}): Executor {
  const lookups = createLookupSource({ redis, prefix });
  const clock = { now: () => Date.now(), random: Math.random };
  const metrics = createMetricsRecorder({ redis, prefix, onError: (err) => log.debug({ err: err.message }, "metrics not recorded") });

  async function afterCommit({ outbox, deferred, alerts }: Awaited<ReturnType<typeof persistUnit>>): Promise<void> {
    // Alerts go out beside the rest, not after it: they are on the path from notify to receipt. Lost, the alert sweep re-enqueues them.
    await Promise.all([alerts.length > 0 ? dispatcher.enqueueAlerts(alerts) : null, dispatchOutbox(outbox, deferred)]);
  }

  async function dispatchOutbox(outbox: Awaited<ReturnType<typeof persistUnit>>["outbox"], deferred: Array<{ taskId: string; seq: number }>): Promise<void> {
    const done: number[] = [];
    for (const row of outbox.filter((r) => r.kind === "counters")) {
      const { deltas } = row.payload as { deltas: CounterDelta[] };
      const values = await applyCounterDeltasOnce({ redis, prefix, rowId: row.id, deltas });
      // Held off by a rebuild of the counters: left unmarked, the reconciler settles it.
      if (values === "fenced") continue;
      done.push(row.id);
      if (values) await fireCountSignals(deltas, values);
    }
    const sums = outbox.filter((r) => r.kind === "sumAdd");
    if (sums.length > 0) {
      const p = redis.pipeline();
      for (const r of sums) {
        const c = r.payload as Extract<Command, { type: "sumAdd" }>;
        p.hincrbyfloat(sumsKey(prefix, c.processId), `${c.nodeId}:${c.sumId}`, c.value);
      }
      await p.exec();
      done.push(...sums.map((r) => r.id));
    }
    const rest = outbox.filter((r) => r.kind !== "sumAdd" && r.kind !== "counters");
    if (rest.length) done.push(...(await dispatcher.dispatch(rest)));
    if (done.length > 0) await pool.query("UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])", [done]);
    if (deferred.length > 0) await dispatcher.enqueueSteps(deferred.map((d) => ({ ...d, event: { type: "enter" } })));
  }

  /**
   * Count semaphors: HINCRBY's result is atomic, so exactly one worker sees each crossing.
   * Each signal is also recorded in `count_signal` in the signal task's transaction: the
   * overview's "active escalations" (a start without its stop) outlives the signal tasks.
   */
  async function fireCountSignals(deltas: CounterDelta[], values: number[]): Promise<void> {
    const signals: Array<{ target: RunnableTarget; signal: CountSignal }> = [];
    for (const [i, d] of deltas.entries()) {
      const target = await catalog.target(String(d.processId), Date.now());
      if (!target.ok) continue;
      const node = findNode(target.target.scheme, d.nodeId);
      const s = node && countSignal({ node, before: values[i] - d.delta, after: values[i] });
      if (s) signals.push({ target: target.target, signal: s });
    }
    if (signals.length === 0) return;
    await transact(async (unit, client) => {
      const recorded = [];
      for (const { target, signal } of signals) {
        const task = await unit.spawnAndRun({ processId: target.processId, versionId: target.versionId, scheme: target.scheme, data: signal.data, nodeId: signal.escNodeId });
        recorded.push({ process_id: target.processId, node_id: String(signal.data.node_id), esc_node_id: signal.escNodeId, start: signal.signal === "start", count: Number(signal.data.count), threshold: signal.threshold, task_id: task.id });
        log.info({ processId: target.processId, nodeId: signal.data.node_id, taskId: task.id, signal: signal.signal, count: signal.data.count, threshold: signal.threshold }, "task-counter signal");
      }
      await client.query(
        `INSERT INTO count_signal (process_id, node_id, esc_node_id, start, count, threshold, task_id, at)
         SELECT u.process_id, u.node_id, u.esc_node_id, u.start, u.count, u.threshold, u.task_id, now()
         FROM jsonb_to_recordset($1::jsonb) AS u(process_id int, node_id text, esc_node_id text, start boolean, count int, threshold int, task_id uuid)`,
        [JSON.stringify(recorded)],
      );
    });
  }

  /** One unit of work: its transaction, then its after-commit effects; measured and logged per task moved. */
  async function transact(work: (unit: UnitOfWork, client: PoolClient) => Promise<void>): Promise<UnitOfWork> {
    const t0 = performance.now();
    const client = await pool.connect();
    let unit: UnitOfWork;
    let persisted: Awaited<ReturnType<typeof persistUnit>>;
    try {
      await client.query("BEGIN");
      unit = new UnitOfWork({ client, catalog, clock, options, lookups });
      await work(unit, client);
      persisted = await persistUnit(client, unit, new Date(clock.now()));
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    try {
      await afterCommit(persisted);
    } catch (err) {
      // Committed work is safe; the reconciler finishes what could not be dispatched.
      log.error({ err: (err as Error).message, ...stepIds(unit) }, "after-commit dispatch failed; the reconciler will retry");
    }
    metrics.unitOfWork({ steps: unit.history.length, seconds: (performance.now() - t0) / 1000 });
    if (log.isLevelEnabled("debug")) {
      for (const h of unit.history) log.debug({ taskId: h.taskId, processId: h.processId, event: h.events[0], nodeId: h.trail[h.trail.length - 1].nodeId, path: h.trail.map((e) => e.nodeId) }, "task stepped");
    }
    return unit;
  }

  return {
    applyCounters: async (rowId, deltas) => {
      const values = await applyCounterDeltasOnce({ redis, prefix, rowId, deltas });
      if (values === "fenced") throw new Error("node counters are being rebuilt; the row is applied later");
      if (values) await fireCountSignals(deltas, values);
    },
    async run(items) {
      const unit = await transact((u) => u.run(items));
      return { outcomes: unit.outcomes };
    },
    async runAtomic(items) {
      if (new Set(items.map((i) => i.taskId)).size !== items.length) throw new Error("runAtomic takes one item per task");
      try {
        const unit = await transact(async (u) => {
          await u.run(items);
          if (items.some((i) => u.outcomes.get(i.taskId)?.outcome !== "moved")) throw new NotAllMoved(u.outcomes);
        });
        return { committed: true, outcomes: unit.outcomes };
      } catch (err) {
        if (err instanceof NotAllMoved) return { committed: false, outcomes: err.outcomes };
        throw err;
      }
    },
  };
}

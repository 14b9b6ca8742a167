import { randomUUID } from "node:crypto";
import type { PoolClient } from "../db/pool.ts";
import {
  isLive, listSchemeLookups, newTask, NOT_UNICAL_REF, step, type Command, type Lookup, type ProcessScheme, type StepOptions, type TaskEvent, type TaskSnapshot, type TrailEntry,
} from "../../engine/index.ts";
import type { LookupRequest } from "../../engine/runtime/lookups.ts";
import type { ProcessCatalog } from "./catalog.ts";
import { stateOf, TASK_COLUMNS, toSnapshot, type TaskRow } from "./task-row.ts";

/** One event for one task. `seq`, when given, must match the task's (a stale job finds another). */
export interface StepItem {
  taskId: string;
  seq?: number;
  event: TaskEvent;
}

export type ItemOutcome = "moved" | "ignored" | "stale" | "busy";

interface Entry {
  processId: number;
  versionId: number;
  scheme: ProcessScheme;
  task: TaskSnapshot;
  isNew: boolean;
  /** As loaded: where the task was counted (null: not counted) and its seq. */
  countedAt: string | null;
  /** The data as loaded (the engine replaces data, never mutates it: the same object means unchanged). */
  loadedData?: TaskSnapshot["data"];
  seq: number;
  touched: boolean;
}

export interface CounterDelta {
  processId: number;
  nodeId: string;
  delta: number;
}

/** Values for the engine's Lookup, fetched before a step (node counts, sums, state-diagram tasks). */
export interface LookupSource {
  fetch(requests: LookupRequest[], client: PoolClient): Promise<Lookup>;
  /** The alert channels by name and by id, to their ids (notify blocks' `channelExists`, the alert rows' channel); absent: not checked. */
  channels?(client: PoolClient): Promise<ReadonlyMap<string, string>>;
}

/**
 * A unit of work: a set of tasks locked in one transaction, moved by the
 * engine, with everything that can happen inside PostgreSQL done at once —
 * a Copy Task or Call a Process creates its child in the same transaction and
 * runs it through its instant nodes, the copy's result goes straight back to
 * the origin, a child's immediate Reply to Process wakes its waiting caller.
 * What needs the outside world (HTTP, code, timers, alerts, other tasks) is
 * collected as commands for the outbox.
 */
export class UnitOfWork {
  readonly entries = new Map<string, Entry>();
  /**
   * One history row per task moved in this unit: the nodes it passed, in order. A task that
   * steps more than once here (its copy's answer, a child's reply) gets one row; each path
   * entry keeps the event that moved it (`events`, parallel to `trail`; the row's event is the first).
   */
  readonly history: Array<{ taskId: string; processId: number; trail: TrailEntry[]; events: string[] }> = [];
  private readonly historyOf = new Map<string, number>();
  readonly outbox: Command[] = [];
  /** Notify commands: written as alert rows in this transaction (the alert row is their outbox). */
  readonly notifications: Array<Extract<Command, { type: "notify" }>> = [];
  readonly outcomes = new Map<string, { outcome: ItemOutcome; reason?: string; tag?: string }>();
  private readonly inbox: Array<{ taskId: string; event: TaskEvent }> = [];
  private pendingCreates: Array<Extract<Command, { type: "createTask" }>> = [];
  private spawned = 0;
  private readonly lookupCache = new Map<number, { requests: LookupRequest[]; notifies: boolean }>();
  /** Read once per unit of work: a channel created or deleted mid-batch counts from the next one. */
  private channels?: Promise<ReadonlyMap<string, string>>;
  private channelsOnly?: Lookup;

  constructor(
    private readonly deps: {
      client: PoolClient;
      catalog: ProcessCatalog;
      clock: { now(): number; random(): number };
      options: StepOptions;
      lookups: LookupSource;
      /** Children created inline per unit before the rest wait for their own step job. */
      maxInlineSpawns?: number;
    },
  ) {}

  /** Locks the tasks of the items (skipping rows another worker holds) and runs each item's event. */
  async run(items: StepItem[]): Promise<void> {
    const ids = [...new Set(items.map((i) => i.taskId))];
    const { rows } = await this.deps.client.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM task WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE SKIP LOCKED`, [ids]);
    const locked = new Map(rows.map((r) => [r.id, r]));
    const missing = await this.missingIds(ids.filter((id) => !locked.has(id)));
    for (const row of rows) {
      const scheme = await this.deps.catalog.scheme(row.version_id, this.deps.client);
      const task = toSnapshot(row);
      this.entries.set(row.id, {
        processId: row.process_id, versionId: row.version_id, scheme, task, isNew: false, seq: row.seq, touched: false,
        countedAt: isCounted(task) ? task.nodeId : null, loadedData: task.data,
      });
    }
    for (const item of items) {
      const e = this.entries.get(item.taskId);
      if (!e) {
        this.outcomes.set(item.taskId, { outcome: missing.has(item.taskId) ? "stale" : "busy" });
        continue;
      }
      if (item.seq !== undefined && item.seq !== e.seq) {
        this.outcomes.set(item.taskId, { outcome: "stale" });
        continue;
      }
      this.outcomes.set(item.taskId, await this.apply(item.taskId, item.event));
    }
    // Children and answers of the whole batch are resolved together: one round trip per cascade level.
    await this.drain();
  }

  /** Creates a task in this unit (ingest, signal tasks) and runs it to its first stop. */
  async spawnAndRun(input: { processId: number; versionId: number; scheme: ProcessScheme; data: TaskSnapshot["data"]; ref?: string | null; nodeId?: string }): Promise<TaskSnapshot> {
    const id = randomUUID();
    this.add(id, input.processId, input.versionId, input.scheme, newTask({ id, processId: String(input.processId), scheme: input.scheme, data: input.data, clock: this.deps.clock, ref: input.ref ?? null, nodeId: input.nodeId }));
    await this.apply(id, { type: "enter" });
    await this.drain();
    return this.entries.get(id)!.task;
  }

  private async missingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.deps.client.query<{ id: string }>("SELECT id FROM task WHERE id = ANY($1::uuid[])", [ids]);
    const present = new Set(rows.map((r) => r.id));
    return new Set(ids.filter((id) => !present.has(id)));
  }

  private add(id: string, processId: number, versionId: number, scheme: ProcessScheme, task: TaskSnapshot): void {
    this.entries.set(id, { processId, versionId, scheme, task, isNew: true, countedAt: null, seq: 0, touched: true });
  }

  private async drain(): Promise<void> {
    for (;;) {
      while (this.inbox.length > 0) {
        const { taskId, event } = this.inbox.shift()!;
        await this.apply(taskId, event);
      }
      if (this.pendingCreates.length === 0) return;
      const creates = this.pendingCreates;
      this.pendingCreates = [];
      await this.createChildren(creates);
    }
  }

  private async apply(taskId: string, event: TaskEvent): Promise<{ outcome: ItemOutcome; reason?: string; tag?: string }> {
    const e = this.entries.get(taskId)!;
    const lookup = await this.lookupFor(e);
    const res = step({ scheme: e.scheme, task: e.task, event, clock: this.deps.clock, lookup, options: this.deps.options });
    if (res.ignored) return { outcome: "ignored", reason: res.ignored.reason, tag: res.ignored.tag };
    e.task = res.task;
    e.touched = true;
    // A "resume" entry only says the task left the node it was parked in; the next entry records that.
    const trail = res.trail.filter((entry) => !(entry.via === "resume" && entry.outcome === "passed"));
    if (trail.length > 0) {
      const at = this.historyOf.get(taskId);
      if (at === undefined) {
        this.historyOf.set(taskId, this.history.length);
        this.history.push({ taskId, processId: e.processId, trail, events: trail.map(() => event.type) });
      } else {
        const h = this.history[at];
        for (const entry of trail) {
          h.trail.push(entry);
          h.events.push(event.type);
        }
      }
    }
    for (const c of res.commands) await this.handle(c);
    return { outcome: "moved" };
  }

  private async lookupFor(e: Entry): Promise<Lookup | undefined> {
    let needs = this.lookupCache.get(e.versionId);
    if (!needs) {
      needs = {
        requests: listSchemeLookups(e.scheme, { processId: String(e.processId) }),
        notifies: e.scheme.nodes.some((n) => n.condition.logics.some((l) => l.type === "notify")),
      };
      this.lookupCache.set(e.versionId, needs);
    }
    const base = needs.requests.length === 0 ? undefined : await this.deps.lookups.fetch(needs.requests, this.deps.client);
    if (!needs.notifies || !this.deps.lookups.channels) return base;
    this.channels ??= this.deps.lookups.channels(this.deps.client);
    const channels = await this.channels;
    if (base) return { ...base, channelExists: (name) => channels.has(name) };
    // Nothing else to look up (the common case): one lookup object for the whole unit.
    return (this.channelsOnly ??= { channelExists: (name) => channels.has(name) });
  }

  /** Carries out what can be done inside this transaction; the rest goes to the outbox. */
  private async handle(c: Command): Promise<void> {
    switch (c.type) {
      case "createTask":
        // Resolved in rounds (see drain), so the ref checks of many children cost one query.
        this.pendingCreates.push(c);
        return;
      case "rpcReply": {
        if (this.entries.has(c.to.taskId)) {
          this.inbox.push({ taskId: c.to.taskId, event: { type: "rpcReply", nodeId: c.to.nodeId, visit: c.to.visit, data: c.data, ...(c.exception ? { exception: c.exception } : {}) } });
          return;
        }
        this.outbox.push(c);
        return;
      }
      case "notify":
        this.notifications.push(c);
        return;
      case "httpCall":
      case "runCode":
      case "modifyTask":
      case "getFromQueue":
      case "scheduleTimer":
      case "cancelTimer":
      case "sumAdd":
        this.outbox.push(c);
        return;
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Creates the children of Copy Task / Call a Process commands and answers
   * their origins: one catalog lookup per target and one query for all refs
   * that must be unique among the live tasks of their process.
   */
  private async createChildren(creates: Array<Extract<Command, { type: "createTask" }>>): Promise<void> {
    const now = this.deps.clock.now();
    const targets = await Promise.all(creates.map((c) => this.deps.catalog.target(c.convId, now, this.deps.client)));
    const withRef = creates.map((c, i) => ({ c, t: targets[i] })).filter(({ c, t }) => c.ref && t.ok);
    const taken = new Set<string>();
    if (withRef.length > 0) {
      const pids = withRef.map(({ t }) => (t.ok ? t.target.processId : 0));
      const refs = withRef.map(({ c }) => c.ref as string);
      const { rows } = await this.deps.client.query<{ process_id: number; ref: string }>(
        `SELECT t.process_id, t.ref FROM task t JOIN unnest($1::int[], $2::text[]) AS u(pid, ref) ON t.process_id = u.pid AND t.ref = u.ref WHERE t.status <> 'finished'`,
        [pids, refs],
      );
      for (const r of rows) taken.add(`${r.process_id}\u0000${r.ref}`);
      for (const x of this.entries.values()) if (x.task.ref && isLive(x.task)) taken.add(`${x.processId}\u0000${x.task.ref}`);
    }
    creates.forEach((c, i) => {
      const found = targets[i];
      const answerTo = { nodeId: c.nodeId, visit: c.visit };
      const fail = (errorTag: string, description: string) => this.inbox.push({ taskId: c.taskId, event: { type: "copyResult", ...answerTo, ok: false, errorTag, description } });
      if (!found.ok) return fail(found.tag === "not_published" ? "access_denied" : found.tag, found.description);
      const { processId, versionId, scheme } = found.target;
      if (c.ref) {
        const k = `${processId}\u0000${c.ref}`;
        if (taken.has(k)) return fail(NOT_UNICAL_REF, "not unical reference");
        taken.add(k);
      }
      const id = randomUUID();
      this.add(id, processId, versionId, scheme, newTask({ id, processId: String(processId), scheme, data: c.data, clock: this.deps.clock, ref: c.ref, parent: c.parent }));
      // Bounded inline cascade: past the limit, children wait for their own step job.
      if (++this.spawned <= (this.deps.maxInlineSpawns ?? 5000)) this.inbox.push({ taskId: id, event: { type: "enter" } });
      if (c.purpose === "copy") this.inbox.push({ taskId: c.taskId, event: { type: "copyResult", ...answerTo, ok: true, taskId: id } });
    });
  }

  /** The channels this unit read (name or id → id), when one of its notify blocks ran; else undefined. */
  channelIds(): Promise<ReadonlyMap<string, string>> | undefined {
    return this.channels;
  }

  /** Counter moves implied by the unit: -1 where a task was counted, +1 where it is counted now. */
  counterDeltas(): CounterDelta[] {
    const map = new Map<string, CounterDelta>();
    const add = (processId: number, nodeId: string, delta: number) => {
      const k = `${processId}\u0000${nodeId}`;
      const d = map.get(k) ?? { processId, nodeId, delta: 0 };
      d.delta += delta;
      map.set(k, d);
    };
    for (const e of this.entries.values()) {
      if (!e.touched) continue;
      const now = isCounted(e.task) ? e.task.nodeId : null;
      if (e.countedAt === now && e.countedAt !== null && isLive(e.task)) continue;
      if (e.countedAt !== null && e.countedAt !== now) add(e.processId, e.countedAt, -1);
      if (now !== null && now !== e.countedAt) add(e.processId, now, +1);
    }
    return [...map.values()].filter((d) => d.delta !== 0);
  }
}

/**
 * A task is counted in its node once it has been processed there: live tasks
 * where they wait, finished tasks in their final (Corezoid's running total).
 */
export function isCounted(t: TaskSnapshot): boolean {
  return Object.keys(t.visits).length > 0;
}

export { stateOf };

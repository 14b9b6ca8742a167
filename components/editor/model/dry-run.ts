/**
 * Dry run: a task goes through the draft in the browser, on the engine's
 * in-memory FakeWorld. Nothing leaves the page: API calls get the answer the
 * operator configured, code is not run (the task continues unchanged), copies
 * and calls land in stand-in processes, alerts are only listed — every side
 * effect shows as the command the engine would issue.
 */
import { FakeWorld, fakeClock, type Command, type HttpAnswer, type ProcessScheme, type TaskSnapshot, type TrailEntry } from "@/engine/index";
import { diffData, type DataChange } from "./data-diff";

type JsonObjectLike = Record<string, unknown>;

export interface DryRunStep {
  nodeId: string;
  title: string;
  via: TrailEntry["via"];
  outcome: TrailEntry["outcome"];
  branch?: number;
  error?: { prefix: string; tag: string };
  note?: string;
  waiting?: string;
  at: number;
  data: JsonObjectLike;
  changes: DataChange[];
}

export interface DryRunCommand {
  type: Command["type"];
  nodeId: string;
  summary: string;
  detail: unknown;
}

export interface DryRunState {
  status: TaskSnapshot["status"];
  finalKind?: TaskSnapshot["finalKind"];
  nodeId: string;
  waiting?: string;
  /** Unix ms when the pending time limit fires. */
  timerAt?: number;
  steps: DryRunStep[];
  commands: DryRunCommand[];
}

const STUB_REPLY = "dryrun-stub-reply";

/** A stand-in for a process the draft copies to or calls: it replies at once and ends. */
function stubScheme(): ProcessScheme {
  return {
    nodes: [
      { id: "dryrun-stub-start", obj_type: 1, condition: { logics: [{ type: "go", to_node_id: STUB_REPLY }], semaphors: [] } },
      { id: STUB_REPLY, obj_type: 0, condition: { logics: [{ type: "api_rpc_reply", mode: "key_value", res_data: {}, res_data_type: {} }, { type: "go", to_node_id: "dryrun-stub-end" }], semaphors: [] } },
      { id: "dryrun-stub-end", obj_type: 2, condition: { logics: [], semaphors: [] } },
    ],
  } as ProcessScheme;
}

/** Static process references of the draft (copy, call, get from queue). */
function referencedProcesses(scheme: ProcessScheme): string[] {
  const ids = new Set<string>();
  for (const n of scheme.nodes) {
    for (const l of n.condition.logics) {
      if (l.type === "api_copy" || l.type === "api_rpc" || l.type === "api_get_task") {
        const id = String(l.conv_id ?? "").trim();
        if (id && !id.includes("{{")) ids.add(id);
      }
    }
  }
  return [...ids];
}

export function describeCommand(c: Command): string {
  switch (c.type) {
    case "httpCall": return `${c.request.method} ${c.request.url}`;
    case "runCode": return `run ${c.lang} code (not run in a dry run: the task continues unchanged)`;
    case "createTask": return c.purpose === "copy" ? `copy the task to process ${c.convId}${c.ref ? ` with ref ${c.ref}` : ""}` : `call process ${c.convId} and wait for its reply`;
    case "modifyTask": return `modify task ${c.ref} in process ${c.convId}`;
    case "rpcReply": return `reply to the calling process${c.exception ? ` with an exception: ${c.exception.reason}` : ""}`;
    case "scheduleTimer": return `time limit fires at ${new Date(c.fireAt).toISOString()}`;
    case "cancelTimer": return "cancel the time limit";
    case "getFromQueue": return `take a task from queue node ${c.queueNodeId} of process ${c.convId}`;
    case "notify": return `alert via channel "${c.channel}" (${c.severity}): ${c.title || c.message}`;
    case "sumAdd": return `add ${c.value} to sum ${c.sumId}`;
    default: {
      const never: never = c;
      return String((never as { type: string }).type);
    }
  }
}

function commandDetail(c: Command): unknown {
  switch (c.type) {
    case "httpCall": return c.request;
    case "createTask": return { convId: c.convId, ref: c.ref, data: c.data };
    case "modifyTask": return { convId: c.convId, ref: c.ref, data: c.data };
    case "notify": return { channel: c.channel, severity: c.severity, title: c.title, message: c.message, fields: c.fields };
    case "rpcReply": return c.data;
    case "runCode": return { lang: c.lang, src: c.src };
    default: return undefined;
  }
}

export class DryRun {
  private readonly world: FakeWorld;
  private readonly processId: string;
  private taskId: string | null = null;
  private input: JsonObjectLike = {};

  constructor({ scheme, processId, http }: { scheme: ProcessScheme; processId: string; http?: HttpAnswer }) {
    this.processId = processId;
    const others = referencedProcesses(scheme).filter((id) => id !== processId).map((id) => ({ id, scheme: stubScheme() }));
    this.world = new FakeWorld({
      processes: [{ id: processId, scheme }, ...others],
      clock: fakeClock(Date.now(), Math.random),
      http: () => http ?? { status: 200, body: {} },
      code: () => ({ data: {} }),
    });
  }

  start(data: JsonObjectLike, ref?: string): DryRunState {
    this.input = data;
    this.taskId = this.world.createTask(this.processId, data, ref ? { ref } : {}).id;
    return this.state();
  }

  /** Moves the clock to the pending time limit and lets it fire. */
  fireTimer(): DryRunState {
    const at = this.state().timerAt;
    if (at !== undefined) this.world.advance(Math.max(0, at - this.world.clock.now()));
    return this.state();
  }

  /** Delivers a callback (modify) to the waiting task. */
  callback(data: JsonObjectLike): DryRunState {
    if (this.taskId) this.world.callback({ taskId: this.taskId }, data);
    return this.state();
  }

  state(): DryRunState {
    if (!this.taskId) return { status: "active", nodeId: "", steps: [], commands: [] };
    const task = this.world.task(this.taskId);
    const trail = this.world.trails.get(this.taskId) ?? [];
    let prev: unknown = this.input;
    let beforeLast: unknown = this.input;
    const steps: DryRunStep[] = [];
    for (const e of trail) {
      const last = steps[steps.length - 1];
      if (e.via === "resume" && last?.nodeId === e.nodeId) {
        // The task resumed where it parked (an answer came): one step, with the answer's changes.
        steps[steps.length - 1] = { ...last, outcome: e.outcome, data: e.data, changes: diffData(beforeLast, e.data), ...(e.error ? { error: e.error } : {}), waiting: e.waiting };
        if (!e.waiting) delete steps[steps.length - 1].waiting;
        prev = e.data;
        continue;
      }
      beforeLast = prev;
      steps.push({
        nodeId: e.nodeId, title: e.title, via: e.via, outcome: e.outcome, at: e.at, data: e.data,
        changes: diffData(prev, e.data),
        ...(e.branch !== undefined ? { branch: e.branch } : {}), ...(e.error ? { error: e.error } : {}),
        ...(e.note ? { note: e.note } : {}), ...(e.waiting ? { waiting: e.waiting } : {}),
      });
      prev = e.data;
    }
    const commands = this.world.commands.filter((c) => c.taskId === this.taskId).map((c) => ({ type: c.type, nodeId: c.nodeId, summary: describeCommand(c), detail: commandDetail(c) }));
    const timer = [...this.world.timers.values()].find((t) => t.taskId === this.taskId);
    return {
      status: task.status, nodeId: task.nodeId, steps, commands,
      ...(task.finalKind ? { finalKind: task.finalKind } : {}), ...(task.waiting ? { waiting: task.waiting.kind } : {}), ...(timer ? { timerAt: timer.fireAt } : {}),
    };
  }
}

/**
 * Runs the JavaScript of Code blocks (Corezoid `api_code`, lang "js") in isolated-vm.
 *
 * Each run gets its own V8 isolate (its own heap, memory limit and thread) and a fresh
 * context, disposed when the run ends: runs share nothing, a run that blows its memory
 * limit takes down only its own isolate, and no timer, promise or closure outlives it.
 * An isolate costs ~2.5 ms to create, which is why reuse is not worth the proof that it
 * would be safe. The task goes in as a JSON string and comes out as a JSON string checked
 * by the host, so no object crosses the boundary in either direction.
 *
 * The worker process must run with `node --no-node-snapshot` (isolated-vm on Node >= 20).
 */
import os from "node:os";
import ivm from "isolated-vm";
import { createSemaphore } from "../semaphore.ts";

/** The engine's `codeResult` payload, without nodeId/visit. */
export type CodeRunResult =
  | { data: Record<string, unknown> }
  | { error: "timeout" | "executing_error" | "return_format_error"; description: string };

export interface CodeRunner {
  /**
   * Runs `src` with the global `data` set to a copy of `data`; the result is `data` as the
   * code left it (mutated or reassigned). Never rejects for anything the code does: every
   * failure is a `CodeRunResult` error. Rejects only once the runner is closed.
   */
  run(options: { src: string; data: Record<string, unknown>; timeoutMs: number }): Promise<CodeRunResult>;
  /** Refuses new runs, waits for the ones in progress (each bounded by its timeout). */
  close(): Promise<void>;
}

export interface CodeRunnerOptions {
  /** Heap limit of each run's isolate, in MB (isolated-vm minimum 8). A hostile script may use 2-3x this before V8 stops it. */
  memoryLimitMb?: number;
  /** Largest result accepted, as UTF-8 JSON bytes. Default 1 MiB (the default task size limit). */
  maxOutputBytes?: number;
  /**
   * Runs executing at once; the rest wait for a slot (their timeout starts when they get one).
   * Bounds the worker's memory at about maxConcurrent x memoryLimitMb x 3. Default: CPU count, at least 2.
   */
  maxConcurrent?: number;
  /**
   * Called when isolated-vm reports that V8 lost control of an isolate (upstream: "all resources in use are
   * totally unrecoverable; end the process"). Default: print to stderr and abort, so the supervisor restarts
   * the worker and the job is retried elsewhere.
   */
  onCatastrophicError?: (message: string) => void;
}

const DESCRIPTION_MAX_CHARS = 1000;
/** Extra time the host waits past a run's timeout before it disposes the isolate itself. */
const HOST_GUARD_GRACE_MS = 250;
/** How long a disposed isolate may take to stop before the process is declared unhealthy. */
const STUCK_AFTER_DISPOSE_MS = 5000;

/**
 * Set-up evaluated in the fresh context before the user's code, as a closure ($0: the task as JSON,
 * $1: the output limit in UTF-16 units). It strips what must not be there, installs harmless
 * `console` and `require`, parses the task into the global `data`, and returns `{ run, finish }`.
 * Both are reachable only through the host's References and use intrinsics captured here, so user
 * code that replaces JSON.stringify, eval or the like cannot change what they do.
 *
 * Why `run` exists instead of running the user's code as a Script: an exception thrown out of the
 * isolate is copied by isolated-vm outside any timeout, and a thrown Proxy or an Error with a looping
 * `message` getter then spins forever, even past `dispose()` (measured). `run` catches everything
 * inside the isolate, under the timeout, and hands back only strings. Indirect eval keeps script
 * semantics: `var` and function declarations become globals, `this` is the global.
 */
const PRELUDE = String.raw`
"use strict";
const g = globalThis;
const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, toText = String;
const indirectEval = g.eval, apply = Reflect.apply, slice = String.prototype.slice, exec = RegExp.prototype.exec;
// WebAssembly memory is allocated outside the isolate's heap limit (measured: 1 GB under a 32 MB limit).
// SharedArrayBuffer and Atomics serve nothing a Code block does.
delete g.WebAssembly;
delete g.SharedArrayBuffer;
delete g.Atomics;
const noop = function () {};
const quiet = {};
for (const k of ["log", "info", "warn", "error", "debug", "trace", "dir", "table", "assert", "time", "timeEnd", "count", "group", "groupEnd"]) quiet[k] = noop;
g.console = quiet;
g.require = function require(name) {
  throw new Error("require(" + stringify(toText(name)) + ") is not available: Conveyor Code blocks run without modules");
};
g.data = parse($0);
const maxChars = $1;
const clip = (s) => (s.length > 1000 ? apply(slice, s, [0, 1000]) + "…" : s);
const describe = (e) => {
  if (e === null || (typeof e !== "object" && typeof e !== "function")) return clip(toText(e));
  const name = toText(e.name);
  const message = toText(e.message);
  const line = apply(exec, /code\.js:(\d+)/, [toText(e.stack)]);
  return clip((name && name !== "Error" && name !== "undefined" ? name + ": " : "") + message) + (line ? " (line " + line[1] + ")" : "");
};
const safely = (f) => {
  try {
    return f();
  } catch (_) {
    return "the code threw something that cannot be described";
  }
};
const kind = (v) => (v === null ? "null" : isArray(v) ? "an array" : typeof v);
// JSON.stringify silently drops functions and symbols; a Code block that puts one in data has a bug to hear about.
const strict = function (key, value) {
  const t = typeof value;
  if (t === "function" || t === "symbol") throw new TypeError("data" + (key === "" ? "" : "." + key) + " is a " + t + ", which JSON cannot hold");
  return value;
};
const run = function (src) {
  try {
    indirectEval(src + "\n//# sourceURL=code.js");
    return "";
  } catch (e) {
    return "E" + safely(() => describe(e));
  }
};
const finish = function () {
  let d;
  try {
    d = data;
  } catch (_) {
    return "!data is no longer defined";
  }
  if (d === null || typeof d !== "object" || isArray(d)) return "!data must be an object, but the code left " + kind(d);
  let s;
  try {
    s = stringify(d, strict);
  } catch (e) {
    return "!data cannot be turned into JSON: " + safely(() => describe(e));
  }
  if (typeof s !== "string") return "!data cannot be turned into JSON";
  if (s.length > maxChars) return ">" + s.length;
  return "=" + s;
};
return { run, finish };
`;

export function createCodeRunner(options: CodeRunnerOptions = {}): CodeRunner {
  const memoryLimitMb = options.memoryLimitMb ?? 32;
  const maxOutputBytes = options.maxOutputBytes ?? 1_048_576;
  const maxConcurrent = options.maxConcurrent ?? Math.max(2, os.availableParallelism());
  const onCatastrophicError =
    options.onCatastrophicError ??
    ((message: string) => {
      process.stderr.write(`isolated-vm catastrophic error, aborting the worker: ${message}\n`);
      process.abort();
    });
  if (!Number.isFinite(memoryLimitMb) || memoryLimitMb < 8) throw new Error(`memoryLimitMb must be at least 8 (isolated-vm's minimum), got ${memoryLimitMb}`);
  if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 2) throw new Error(`maxOutputBytes must be an integer >= 2, got ${maxOutputBytes}`);
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new Error(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);

  const slots = createSemaphore(maxConcurrent);
  const inFlight = new Set<Promise<CodeRunResult>>();
  let closed = false;

  const runInIsolate = async (src: string, input: string, timeoutMs: number): Promise<CodeRunResult> => {
    const started = Date.now();
    const remaining = () => Math.max(1, timeoutMs - (Date.now() - started));
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb, onCatastrophicError });
    const work = (async (): Promise<CodeRunResult> => {
      const context = await isolate.createContext();
      // Parse first: a syntax error is reported with its place, before anything of the user's runs.
      (await isolate.compileScript(src, { filename: "code.js" })).release();
      const entry = await context.evalClosure(PRELUDE, [input, maxOutputBytes], { arguments: { copy: true }, result: { reference: true }, timeout: remaining() });
      const run = await entry.get("run", { reference: true });
      const finish = await entry.get("finish", { reference: true });
      // Two calls: promise jobs the code queued run between them (isolated-vm drains them under the timeout).
      const thrown: unknown = await run.apply(undefined, [src], { arguments: { copy: true }, result: { copy: true }, timeout: remaining() });
      if (typeof thrown !== "string") return { error: "executing_error", description: "the code's failure could not be read" };
      if (thrown !== "") return { error: "executing_error", description: truncate(thrown.slice(1)) };
      const out: unknown = await finish.apply(undefined, [], { result: { copy: true }, timeout: remaining() });
      return readOutput(out, maxOutputBytes);
    })();
    // Second line of defence behind isolated-vm's own timeouts: whatever keeps the isolate busy, the
    // run answers `timeout` and the isolate is disposed. If it still does not stop, V8 has lost control
    // of a thread, which is what onCatastrophicError is for.
    let guard: NodeJS.Timeout | undefined;
    const guarded = new Promise<CodeRunResult>((resolve) => {
      guard = setTimeout(() => {
        if (!isolate.isDisposed) isolate.dispose();
        resolve({ error: "timeout", description: `the code ran longer than its ${timeoutMs} ms limit` });
        const stuck = setTimeout(() => onCatastrophicError("a Code block's isolate kept running after it was disposed"), STUCK_AFTER_DISPOSE_MS);
        stuck.unref();
        work.finally(() => clearTimeout(stuck)).catch(() => {});
      }, timeoutMs + HOST_GUARD_GRACE_MS);
    });
    try {
      return await Promise.race([
        work.catch((error: unknown) => describeFailure(error, { timeoutMs, memoryLimitMb })),
        guarded,
      ]);
    } finally {
      clearTimeout(guard);
      if (!isolate.isDisposed) isolate.dispose();
    }
  };

  return {
    async run({ src, data, timeoutMs }) {
      if (closed) throw new Error("the code runner is closed (the worker is shutting down)");
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`timeoutMs must be a positive number, got ${timeoutMs}`);
      const input = JSON.stringify(data);
      const job = (async () => {
        const release = await slots.acquire();
        try {
          return await runInIsolate(src, input, timeoutMs);
        } finally {
          release();
        }
      })();
      inFlight.add(job);
      try {
        return await job;
      } finally {
        inFlight.delete(job);
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Turns `finish`'s tagged string into a result; the guest's string is untrusted and re-checked here. */
function readOutput(out: unknown, maxOutputBytes: number): CodeRunResult {
  if (typeof out !== "string" || out.length === 0) return formatError("the code's result could not be read");
  const tag = out[0];
  const rest = out.slice(1);
  if (tag === "!") return formatError(truncate(rest));
  if (tag === ">") return formatError(`data is larger than the ${maxOutputBytes}-byte limit (${rest} characters as JSON)`);
  if (tag !== "=") return formatError("the code's result could not be read");
  const bytes = Buffer.byteLength(rest, "utf8");
  if (bytes > maxOutputBytes) return formatError(`data is larger than the ${maxOutputBytes}-byte limit (${bytes} bytes as JSON)`);
  let parsed: unknown;
  try {
    // A "__proto__" key is a prototype-pollution gadget for whatever merges this object later (Object.assign, lodash.merge), never useful task data.
    parsed = JSON.parse(rest, (key, value: unknown) => (key === "__proto__" ? undefined : value));
  } catch {
    return formatError("data cannot be turned into JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return formatError("data must be an object");
  return { data: parsed as Record<string, unknown> };
}

/** Failures isolated-vm reports itself: timeouts, the memory limit, syntax errors (the user's own throws come back from `run`). */
function describeFailure(error: unknown, ctx: { timeoutMs: number; memoryLimitMb: number }): CodeRunResult {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Script execution timed out/.test(message)) {
    return { error: "timeout", description: `the code ran longer than its ${ctx.timeoutMs} ms limit` };
  }
  if (/disposed during execution due to memory limit/.test(message)) {
    return { error: "executing_error", description: `the code used more than its ${ctx.memoryLimitMb} MB memory limit` };
  }
  const name = error instanceof Error && error.name && error.name !== "Error" ? `${error.name}: ` : "";
  return { error: "executing_error", description: truncate(`${name}${message}`) };
}

const formatError = (description: string): CodeRunResult => ({ error: "return_format_error", description });

const truncate = (s: string) => (s.length > DESCRIPTION_MAX_CHARS ? `${s.slice(0, DESCRIPTION_MAX_CHARS)}…` : s);

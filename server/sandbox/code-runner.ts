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

/**
 * Set-up evaluated in the fresh context before the user's code, as a closure ($0: the task as JSON,
 * $1: the output limit in UTF-16 units). It strips what must not be there, installs harmless
 * `console` and `require`, parses the task into the global `data`, and returns `finish`, which the
 * host calls after the user's code. `finish` is reachable only through the host's Reference and uses
 * intrinsics captured here, so user code that replaces JSON.stringify or the like cannot forge it.
 */
const PRELUDE = String.raw`
"use strict";
const g = globalThis;
const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, toText = String;
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
const safeText = (e) => {
  try {
    if (e !== null && typeof e === "object" && "message" in e) return toText(e.message);
    return toText(e);
  } catch (_) {
    return "unprintable error";
  }
};
const kind = (v) => (v === null ? "null" : isArray(v) ? "an array" : typeof v);
// JSON.stringify silently drops functions and symbols; a Code block that puts one in data has a bug to hear about.
const strict = function (key, value) {
  const t = typeof value;
  if (t === "function" || t === "symbol") throw new TypeError("data" + (key === "" ? "" : "." + key) + " is a " + t + ", which JSON cannot hold");
  return value;
};
return function finish() {
  let d;
  try {
    d = data; // the bare name also sees a top-level let/const data declared by the code
  } catch (_) {
    return "!data is no longer defined";
  }
  if (d === null || typeof d !== "object" || isArray(d)) return "!data must be an object, but the code left " + kind(d);
  let s;
  try {
    s = stringify(d, strict);
  } catch (e) {
    return "!data cannot be turned into JSON: " + safeText(e);
  }
  if (typeof s !== "string") return "!data cannot be turned into JSON";
  if (s.length > maxChars) return ">" + s.length;
  return "=" + s;
};
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
    // Second line of defence behind isolated-vm's own timeouts: whatever keeps the isolate busy
    // (a promise chain, a blocking wait, a bug in a timeout path), disposing it ends the run.
    let guardFired = false;
    const guard = setTimeout(() => {
      guardFired = true;
      if (!isolate.isDisposed) isolate.dispose();
    }, timeoutMs + HOST_GUARD_GRACE_MS);
    try {
      const context = await isolate.createContext();
      const finish = await context.evalClosure(PRELUDE, [input, maxOutputBytes], {
        arguments: { copy: true },
        result: { reference: true },
        timeout: remaining(),
      });
      const script = await isolate.compileScript(src, { filename: "code.js" });
      await script.run(context, { timeout: remaining() });
      const out: unknown = await finish.apply(undefined, [], { timeout: remaining(), result: { copy: true } });
      return readOutput(out, maxOutputBytes);
    } catch (error) {
      return describeFailure(error, { timedOut: guardFired, timeoutMs, memoryLimitMb });
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

function describeFailure(error: unknown, ctx: { timedOut: boolean; timeoutMs: number; memoryLimitMb: number }): CodeRunResult {
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  if (ctx.timedOut || (error instanceof Error && /^Script execution timed out/.test(message))) {
    return { error: "timeout", description: `the code ran longer than its ${ctx.timeoutMs} ms limit` };
  }
  if (error instanceof Error && /disposed during execution due to memory limit/.test(message)) {
    return { error: "executing_error", description: `the code used more than its ${ctx.memoryLimitMb} MB memory limit` };
  }
  if (error instanceof Error) {
    // Syntax errors already name the place ("[code.js:1:8]"); runtime errors carry it in the stack.
    const line = message.includes("code.js:") ? undefined : /code\.js:(\d+)/.exec(error.stack ?? "")?.[1];
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return { error: "executing_error", description: truncate(`${name}${message}${line ? ` (line ${line})` : ""}`) };
  }
  return { error: "executing_error", description: truncate(typeof error === "string" ? error : "the code threw a value that is not an Error") };
}

const formatError = (description: string): CodeRunResult => ({ error: "return_format_error", description });

const truncate = (s: string) => (s.length > DESCRIPTION_MAX_CHARS ? `${s.slice(0, DESCRIPTION_MAX_CHARS)}…` : s);

function createSemaphore(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) {
        free--;
        return once(release);
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
      return once(release);
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

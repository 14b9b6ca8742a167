import path from "node:path";

/**
 * How a worker process is started — `npm run worker` (package.json), `npm run up`, the benchmarks
 * and the tests that start real workers all use these flags.
 *
 * - `--no-node-snapshot`: isolated-vm (Code blocks) needs it on Node 20.
 * - `--single-threaded-gc`: V8 collects garbage on the worker's own thread. Workers scale as
 *   processes (about one per core); V8's helper threads for parallel and concurrent collection
 *   would compete with the other workers and PostgreSQL for the same cores. On the 2-core
 *   benchmark machine it cut a worker's CPU per event by about 5 % (docs/performance.md).
 */
export const WORKER_NODE_ARGS: readonly string[] = ["--no-node-snapshot", "--single-threaded-gc"];

/** Arguments for `process.execPath` that run workers/main.ts (TypeScript through tsx). */
export function workerArgs(extra: readonly string[] = []): string[] {
  return [...WORKER_NODE_ARGS, ...extra, "--import", "tsx", path.join(import.meta.dirname, "main.ts")];
}

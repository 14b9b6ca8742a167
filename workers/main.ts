// The worker process: moves tasks through processes. Run as many as you like
// against the same PostgreSQL and Redis (see docs/scaling.md).
import { hostname } from "node:os";
import { ConfigError, loadConfig } from "../server/config.ts";
import { PreflightError, preflight } from "../server/preflight.ts";
import { startWorker } from "./start-worker.ts";

let cfg;
try {
  cfg = loadConfig();
  await preflight(cfg);
} catch (err) {
  if (err instanceof ConfigError || err instanceof PreflightError) {
    console.error(`conveyor worker: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const worker = await startWorker({ config: cfg, workerId: `${hostname()}:${process.pid}` });
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  worker.log.info({ signal }, "worker stopping");
  await worker.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

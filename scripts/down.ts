// `npm run down`: stops a Conveyor started with `npm run up -- --detach`.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const dataRoot = path.resolve(import.meta.dirname, "../.data");
let stopped = 0;
for (const name of ["web", "worker"]) {
  const file = path.join(dataRoot, `${name}.pid`);
  if (!existsSync(file)) continue;
  const pid = Number(readFileSync(file, "utf8"));
  try {
    process.kill(-pid, "SIGTERM"); // the detached child leads its own process group
    stopped++;
  } catch {
    try {
      process.kill(pid, "SIGTERM");
      stopped++;
    } catch {
      /* already gone */
    }
  }
  rmSync(file);
}
console.log(stopped ? `stopped ${stopped} process(es)` : "nothing to stop");

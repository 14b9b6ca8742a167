import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WORKER_NODE_ARGS, workerArgs } from "./node-args.ts";

describe("worker start flags", () => {
  it("npm run worker starts workers/main.ts with the same Node flags as npm run up, the benchmarks and the tests", () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
    const script = pkg.scripts.worker.split(/\s+/);
    expect(script[0]).toBe("node");
    expect(script.slice(1).filter((a) => a.startsWith("--") && !a.startsWith("--env-file") && a !== "--import")).toEqual([...WORKER_NODE_ARGS]);
    expect(script.at(-1)).toBe("workers/main.ts");
    expect(workerArgs(["--cpu-prof"])).toEqual([...WORKER_NODE_ARGS, "--cpu-prof", "--import", "tsx", path.join(import.meta.dirname, "main.ts")]);
  });
});

import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testEnv, withDatabaseName } from "../server/testing/test-env.ts";

/**
 * Start-up must stop at once with one line naming the problem. These run the
 * real worker entry point (the web server runs the same checks from
 * instrumentation.ts) with a broken environment.
 */
const root = path.resolve(import.meta.dirname, "..");

function startWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "workers/main.ts")], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "test", ...env } as NodeJS.ProcessEnv,
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

const lines = (s: string) => s.trim().split("\n").filter(Boolean);

describe("worker start-up checks", () => {
  it("stops when DATABASE_URL names a database that does not exist", async () => {
    const env = testEnv();
    const res = await startWorker({ ...env, DATABASE_URL: withDatabaseName(env.DATABASE_URL, "conveyor_no_such_db") });
    expect(res.code).toBe(1);
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^conveyor worker: DATABASE_URL .*conveyor_no_such_db.*database "conveyor_no_such_db" does not exist$/)]);
  });

  it("stops when Redis is unreachable", async () => {
    const res = await startWorker({ ...testEnv(), REDIS_URL: "redis://127.0.0.1:1/0" });
    expect(res.code).toBe(1);
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^conveyor worker: REDIS_URL redis:\/\/127\.0\.0\.1:1\/0: cannot reach Redis: connection refused$/)]);
  });

  it("stops when a variable is malformed or missing", async () => {
    const res = await startWorker({ ...testEnv(), PORT: "not-a-port", AUTH_SECRET: "" });
    expect(res.code).toBe(1);
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^conveyor worker: Invalid configuration: .*PORT must be a number.*AUTH_SECRET is missing/)]);
  });

  it("does not put a database password into the message", async () => {
    const env = testEnv();
    const u = new URL(env.DATABASE_URL);
    u.username = "nobody";
    u.password = "hunter2-secret";
    u.port = "1";
    const res = await startWorker({ ...env, DATABASE_URL: u.toString() });
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain("hunter2-secret");
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^conveyor worker: DATABASE_URL postgresql:\/\/nobody:\*\*\*@.*connection refused$/)]);
  });
});

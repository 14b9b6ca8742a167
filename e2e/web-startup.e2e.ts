import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eEnv } from "./support/e2e-env.ts";
import { withDatabaseName } from "../server/testing/test-env.ts";

/**
 * The production web server (`next start` of the build under test) stops at
 * once with one line naming the problem when its configuration is broken or
 * PostgreSQL/Redis cannot be used (instrumentation.ts → server/startup-check.ts),
 * instead of serving pages that fail one by one.
 */
const root = path.resolve(import.meta.dirname, "..");
const PORT = String(Number(process.env.E2E_PORT ?? 3100) + 50);

function startWeb(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", PORT], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", ...env } as NodeJS.ProcessEnv,
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const lines = (s: string) => s.trim().split("\n").filter(Boolean);

test("the web server stops with one line naming a malformed or missing variable", async () => {
  const { ENCRYPTION_KEY: _, ...env } = e2eEnv();
  const missing = await startWeb({ ...env, PORT });
  expect(missing.code).toBe(1);
  expect(lines(missing.stderr)).toEqual([expect.stringMatching(/^conveyor: .*ENCRYPTION_KEY/)]);

  const malformed = await startWeb({ ...e2eEnv(), PORT, REDIS_URL: "not a url" });
  expect(malformed.code).toBe(1);
  expect(lines(malformed.stderr)).toEqual([expect.stringMatching(/^conveyor: .*REDIS_URL/)]);
});

test("the web server stops with one line when the database or Redis cannot be reached", async () => {
  const env = e2eEnv();
  const noDb = await startWeb({ ...env, PORT, DATABASE_URL: withDatabaseName(env.DATABASE_URL, "conveyor_no_such_db") });
  expect(noDb.code).toBe(1);
  expect(lines(noDb.stderr)).toEqual([expect.stringMatching(/^conveyor: DATABASE_URL .*conveyor_no_such_db/)]);

  const noRedis = await startWeb({ ...env, PORT, REDIS_URL: "redis://127.0.0.1:1/0" });
  expect(noRedis.code).toBe(1);
  expect(lines(noRedis.stderr)).toEqual([expect.stringMatching(/^conveyor: .*Redis/i)]);
});

// Playwright's webServer: a fresh e2e database, an admin login, then the real
// production web server (next start, built beforehand) and a real worker.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import { applyMigrations } from "../../server/db/migrate.ts";
import { createDb } from "../../server/db/client.ts";
import { createOperator } from "../../server/seed/seed.ts";
import { recreateDatabase } from "../../server/testing/global-setup.ts";
import { E2E_ADMIN, e2eEnv } from "./e2e-env.ts";
import { workerArgs } from "../../workers/node-args.ts";

const root = path.resolve(import.meta.dirname, "../..");
const env = e2eEnv();

await recreateDatabase(env.DATABASE_URL);
await applyMigrations({ databaseUrl: env.DATABASE_URL, dir: path.join(root, "prisma/migrations") });
const redis = new Redis(env.REDIS_URL);
await redis.flushdb();
redis.disconnect();
const db = createDb({ databaseUrl: env.DATABASE_URL, poolSize: 1 });
await createOperator({ db, email: E2E_ADMIN.email, name: "E2E Admin", password: E2E_ADMIN.password, role: "admin" });
await db.$disconnect();

const childEnv = { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } as NodeJS.ProcessEnv;
const children: ChildProcess[] = [
  spawn(path.join(root, "node_modules/.bin/next"), ["start", "-H", env.HOST, "-p", env.PORT], { cwd: root, env: childEnv, stdio: "inherit" }),
  spawn(process.execPath, workerArgs(), { cwd: root, env: childEnv, stdio: "inherit" }),
];
const stop = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
for (const c of children) c.on("exit", (code) => {
  if (code) {
    console.error(`e2e server child exited with ${code}`);
    stop();
  }
});

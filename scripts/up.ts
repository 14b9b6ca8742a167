// `npm run up`: find or start PostgreSQL and Redis, write .env on first run,
// migrate, seed the first admin and the demo process, build the web app when
// its sources changed, start the web server and a worker, print URL and login.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyMigrations } from "../server/db/migrate.ts";
import { createDb } from "../server/db/client.ts";
import { seedFirstRun } from "../server/seed/seed.ts";
import { readEnvFile, renderEnvFile } from "./lib/env-file.ts";
import { discoverPostgres, discoverRedis, ensureDatabase, MissingBinaryError, writeFileSecret } from "./lib/services.ts";
import { workerArgs } from "../workers/node-args.ts";

const root = path.resolve(import.meta.dirname, "..");
const dataRoot = path.join(root, ".data");
const detach = process.argv.includes("--detach");
const say = (s: string) => console.log(`› ${s}`);
const fail = (s: string): never => {
  console.error(`✗ ${s}`);
  process.exit(1);
};

mkdirSync(dataRoot, { recursive: true });
const envPath = path.join(root, ".env");
const fileEnv = readEnvFile(envPath);
const pick = (k: string) => process.env[k] || fileEnv[k] || undefined;

let databaseUrl: string;
let redisUrl: string;
try {
  databaseUrl = await discoverPostgres({ configured: pick("DATABASE_URL"), dataRoot, log: say });
  redisUrl = await discoverRedis({ configured: pick("REDIS_URL"), dataRoot, log: say });
} catch (err) {
  if (err instanceof MissingBinaryError) fail(err.message);
  throw err;
}

const env: Record<string, string> = {
  ...fileEnv,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  AUTH_SECRET: pick("AUTH_SECRET") ?? randomBytes(32).toString("base64"),
  ENCRYPTION_KEY: pick("ENCRYPTION_KEY") ?? randomBytes(32).toString("base64"),
};
for (const k of ["HOST", "PORT", "APP_URL", "LOG_LEVEL", "QUEUE_PREFIX", "WORKER_CONCURRENCY", "TASK_SIZE_LIMIT_BYTES"]) {
  const v = pick(k);
  if (v) env[k] = v;
}
env.HOST ??= "127.0.0.1";
env.PORT ??= "3000";
env.APP_URL ??= `http://${env.HOST}:${env.PORT}`;
if (!existsSync(envPath)) {
  writeFileSecret(envPath, renderEnvFile(readFileSync(path.join(root, ".env.example"), "utf8"), env));
  say("wrote .env with fresh secrets (keep ENCRYPTION_KEY safe: stored secrets need it)");
} else if (fileEnv.DATABASE_URL !== databaseUrl || fileEnv.REDIS_URL !== redisUrl || !fileEnv.AUTH_SECRET || !fileEnv.ENCRYPTION_KEY) {
  writeFileSecret(envPath, renderEnvFile(readFileSync(envPath, "utf8"), env));
  say("updated .env with the services found and any missing secrets");
}

if (await ensureDatabase(databaseUrl)) say(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
const mig = await applyMigrations({ databaseUrl, dir: path.join(root, "prisma/migrations"), log: say }).catch((err: Error) => fail(err.message));
if (mig.applied.length === 0) say("database schema is up to date");

const db = createDb({ databaseUrl, poolSize: 2 });
const adminEmail = pick("ADMIN_EMAIL") ?? "admin@conveyor.local";
const seeded = await seedFirstRun({ db, adminEmail });
await db.$disconnect();
const adminFile = path.join(dataRoot, "initial-admin.txt");
if (seeded.admin) writeFileSecret(adminFile, `${seeded.admin.email}\n${seeded.admin.password}\n`);
if (seeded.demoProcessId) say(`created the demo process #${seeded.demoProcessId}`);

// Build the web app when there is no build or a source is newer than it.
const buildId = path.join(root, ".next/BUILD_ID");
const newestSource = (dir: string): number => {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
};
const sourceDirs = ["app", "components", "engine", "server", "public"].map((d) => path.join(root, d)).filter(existsSync);
const stale = !existsSync(buildId) || Math.max(...sourceDirs.map(newestSource), statSync(path.join(root, "package-lock.json")).mtimeMs) > statSync(buildId).mtimeMs;
if (stale) {
  say("building the web app (next build)");
  const b = spawnSync(path.join(root, "node_modules/.bin/next"), ["build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (b.status !== 0) fail("next build failed (output above)");
}

// Start the web server and a worker.
const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const logsDir = path.join(dataRoot, "logs");
mkdirSync(logsDir, { recursive: true });
const children: Array<{ name: string; proc: ChildProcess }> = [];
const start = (name: string, cmd: string, args: string[]) => {
  // Detached children write straight to their log files, so they outlive this process.
  const fd = detach ? openSync(path.join(logsDir, `${name}.log`), "a") : null;
  const stdio: Array<"ignore" | "pipe" | number> = fd !== null ? ["ignore", fd, fd] : ["ignore", "pipe", "pipe"];
  const proc: ChildProcess = spawn(cmd, args, { cwd: root, env: childEnv, detached: detach, stdio });
  const prefix = (chunk: Buffer) => chunk.toString().split("\n").filter(Boolean).map((l) => `[${name}] ${l}\n`).join("");
  proc.stdout?.on("data", (c: Buffer) => process.stdout.write(prefix(c)));
  proc.stderr?.on("data", (c: Buffer) => process.stderr.write(prefix(c)));
  children.push({ name, proc });
  if (detach) writeFileSync(path.join(dataRoot, `${name}.pid`), String(proc.pid));
  return proc;
};
start("web", path.join(root, "node_modules/.bin/next"), ["start", "-H", env.HOST, "-p", env.PORT]);
start("worker", process.execPath, workerArgs());

const stopAll = (code: number) => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
};
if (!detach) {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
}
for (const c of children) {
  c.proc.on("exit", (code) => {
    if (!detach || !ready) {
      console.error(`✗ ${c.name} exited with code ${code}${detach ? ` (see .data/logs/${c.name}.log)` : ""}`);
      stopAll(1);
    }
  });
}

let ready = false;
const healthUrl = `http://${env.HOST}:${env.PORT}/api/health`;
for (let i = 0; i < 120 && !ready; i++) {
  await new Promise((r) => setTimeout(r, 500));
  try {
    const res = await fetch(healthUrl);
    const body = (await res.json()) as { workers?: { live: number } };
    ready = res.ok && (body.workers?.live ?? 0) > 0;
  } catch {
    /* not listening yet */
  }
}
if (!ready) {
  console.error(`✗ the web server or worker did not become healthy at ${healthUrl}`);
  stopAll(1);
} else {
  const login = existsSync(adminFile) ? readFileSync(adminFile, "utf8").trim().split("\n") : [adminEmail, "(password as printed on first start)"];
  console.log("");
  console.log(`  Conveyor is up:  ${env.APP_URL}`);
  console.log(`  Login:           ${login[0]}  /  ${login[1]}`);
  if (seeded.admin) console.log("  (first start: the password is also in .data/initial-admin.txt; change it after signing in)");
  console.log(detach ? "  Running in the background; logs in .data/logs, stop with `npm run down`.\n" : "  Ctrl-C stops Conveyor.\n");
  if (detach) {
    for (const c of children) c.proc.unref();
    process.exit(0);
  }
}

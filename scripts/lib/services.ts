import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, chownSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";

/** Finding, creating and starting PostgreSQL and Redis for `npm run up` and the tests. */

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/conveyor";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0";
export const PRIVATE_PG_PORT = 54329;
export const PRIVATE_REDIS_PORT = 63799;

const dbName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** True when a PostgreSQL server answers at the URL's host (any database). */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch (err) {
    // The server answered but refused the maintenance database or the role: still a server.
    const code = (err as { code?: string }).code;
    return code === "3D000" || code === "28000" || code === "28P01";
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the URL's database when the server has none of that name. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = dbName(url);
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function which(bin: string): string | null {
  const res = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return res.status === 0 ? res.stdout.trim() : null;
}

/** initdb/pg_ctl from PATH or Debian's /usr/lib/postgresql/<v>/bin. */
function findPostgresBin(): string | null {
  const fromPath = which("pg_ctl");
  if (fromPath) return path.dirname(fromPath);
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

export class MissingBinaryError extends Error {}

/**
 * Starts (initialising on first use) a private PostgreSQL under `dataRoot/postgres`,
 * listening on 127.0.0.1:PRIVATE_PG_PORT with trust auth. PostgreSQL refuses to
 * run as root, so as root it runs as the `postgres` system user.
 */
export async function startPrivatePostgres(dataRoot: string): Promise<string> {
  const bin = findPostgresBin();
  if (!bin) throw new MissingBinaryError("PostgreSQL is not running and not installed: install it (Debian: apt-get install -y postgresql) or set DATABASE_URL to a server you have");
  const dir = path.resolve(dataRoot, "postgres");
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]) => runAsPostgres(cmd, args);
  mkdirSync(dir, { recursive: true });
  if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
  if (!existsSync(path.join(dir, "PG_VERSION"))) runAs(path.join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  const url = `postgresql://postgres@127.0.0.1:${PRIVATE_PG_PORT}/conveyor`;
  if (!(await postgresAnswers(url))) {
    runAs(path.join(bin, "pg_ctl"), ["-D", dir, "-l", path.join(dir, "server.log"), "-w", "-o", `-p ${PRIVATE_PG_PORT} -c listen_addresses=127.0.0.1 -k ${dir}`, "start"]);
  }
  return url;
}

function runAsPostgres(cmd: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [c, a] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  execFileSync(c, a as string[], { stdio: ["ignore", "pipe", "pipe"] });
}

/** Stops the private PostgreSQL of `dataRoot` (if running). */
export function stopPrivatePostgres(dataRoot: string): void {
  const bin = findPostgresBin();
  const dir = path.resolve(dataRoot, "postgres");
  if (bin && existsSync(path.join(dir, "postmaster.pid"))) runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-m", "fast", "-w", "stop"]);
}

/** Stops the private Redis of `dataRoot` (if running). */
export async function stopPrivateRedis(): Promise<void> {
  const r = new Redis(`redis://127.0.0.1:${PRIVATE_REDIS_PORT}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    await r.connect();
    await r.call("SHUTDOWN", "NOSAVE");
  } catch {
    /* not running, or closed by the shutdown itself */
  } finally {
    r.disconnect();
  }
}

/** Starts a private Redis (append-only file on) under `dataRoot/redis` on 127.0.0.1:PRIVATE_REDIS_PORT. */
export async function startPrivateRedis(dataRoot: string): Promise<string> {
  const bin = which("redis-server");
  if (!bin) throw new MissingBinaryError("Redis is not running and not installed: install it (Debian: apt-get install -y redis-server) or set REDIS_URL to a server you have");
  const dir = path.resolve(dataRoot, "redis");
  mkdirSync(dir, { recursive: true });
  const url = `redis://127.0.0.1:${PRIVATE_REDIS_PORT}/0`;
  if (!(await redisAnswers(url))) {
    execFileSync(bin, ["--port", String(PRIVATE_REDIS_PORT), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "yes", "--appendonly", "yes", "--save", "", "--pidfile", path.join(dir, "redis.pid"), "--logfile", path.join(dir, "redis.log")]);
    for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  }
  return url;
}

/** The configured URL if it answers, else the local default, else a private instance. */
export async function discoverPostgres({ configured, dataRoot, log, fallback = DEFAULT_DATABASE_URL }: { configured?: string; dataRoot: string; log: (s: string) => void; fallback?: string }): Promise<string> {
  for (const candidate of [configured, fallback].filter(Boolean) as string[]) {
    if (await postgresAnswers(candidate)) return candidate === configured ? candidate : withDatabase(candidate, configured ? dbName(configured) : "conveyor");
    log(`PostgreSQL does not answer at ${new URL(candidate).host}`);
  }
  log("starting a private PostgreSQL under .data/postgres");
  return startPrivatePostgres(dataRoot);
}

export async function discoverRedis({ configured, dataRoot, log, fallback = DEFAULT_REDIS_URL }: { configured?: string; dataRoot: string; log: (s: string) => void; fallback?: string }): Promise<string> {
  for (const candidate of [configured, fallback].filter(Boolean) as string[]) {
    if (await redisAnswers(candidate)) return candidate;
    log(`Redis does not answer at ${new URL(candidate).host}`);
  }
  log("starting a private Redis under .data/redis");
  return startPrivateRedis(dataRoot);
}

export function writeFileSecret(file: string, content: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o600 });
}

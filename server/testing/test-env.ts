import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/**
 * Where tests run: TEST_DATABASE_URL / TEST_REDIS_URL if set, else the
 * developer's DATABASE_URL / REDIS_URL (environment or .env) pointed at a
 * separate database `conveyor_test` and Redis database 1, else the local
 * defaults. Tests never touch the developer's own data.
 */
const root = path.resolve(import.meta.dirname, "../..");

function fileEnv(): Record<string, string> {
  const f = path.join(root, ".env");
  return existsSync(f) ? (parseEnv(readFileSync(f, "utf8")) as Record<string, string>) : {};
}

export function testUrls(): { databaseUrl: string; redisUrl: string; prefix: string } {
  const env = { ...fileEnv(), ...process.env } as Record<string, string | undefined>;
  let databaseUrl = env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const u = new URL(env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/conveyor");
    u.pathname = "/conveyor_test";
    databaseUrl = u.toString();
  }
  let redisUrl = env.TEST_REDIS_URL;
  if (!redisUrl) {
    const u = new URL(env.REDIS_URL || "redis://127.0.0.1:6379/0");
    u.pathname = "/1";
    redisUrl = u.toString();
  }
  return { databaseUrl, redisUrl, prefix: "conveyor-test" };
}

/** A complete, valid environment for code under test (fixed test secrets). */
export function testEnv(): Record<string, string> {
  const { databaseUrl, redisUrl, prefix } = testUrls();
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    LOG_LEVEL: "warn",
  };
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

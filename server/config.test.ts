import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactUrl } from "./config.ts";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/conveyor",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  AUTH_SECRET: "x".repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

function message(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("accepts a valid environment and applies defaults", () => {
    const cfg = loadConfig(valid);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.QUEUE_PREFIX).toBe("conveyor");
    expect(cfg.TASK_SIZE_LIMIT_BYTES).toBe(1_048_576);
    expect(loadConfig({ ...valid, PORT: "8080", WORKER_CONCURRENCY: "4" })).toMatchObject({ PORT: 8080, WORKER_CONCURRENCY: 4 });
  });

  it("names each missing variable on one line", () => {
    const m = message({ REDIS_URL: valid.REDIS_URL });
    expect(m).not.toContain("\n");
    expect(m).toMatch(/DATABASE_URL is missing/);
    expect(m).toMatch(/AUTH_SECRET is missing/);
    expect(m).toMatch(/ENCRYPTION_KEY is missing/);
    expect(m).not.toMatch(/REDIS_URL/);
  });

  it("treats an empty value as missing", () => {
    expect(message({ ...valid, DATABASE_URL: "" })).toMatch(/DATABASE_URL is missing/);
  });

  it("names malformed variables and why", () => {
    expect(message({ ...valid, DATABASE_URL: "mysql://localhost/x" })).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/\.\.\. URL/);
    expect(message({ ...valid, REDIS_URL: "not a url" })).toMatch(/REDIS_URL must be a redis:\/\//);
    expect(message({ ...valid, PORT: "eighty" })).toMatch(/PORT must be a number/);
    expect(message({ ...valid, PORT: "70000" })).toMatch(/PORT must be <= 65535/);
    expect(message({ ...valid, AUTH_SECRET: "short" })).toMatch(/AUTH_SECRET must be at least 32 characters/);
    expect(message({ ...valid, ENCRYPTION_KEY: "c2hvcnQ=" })).toMatch(/ENCRYPTION_KEY must be 32 bytes/);
    expect(message({ ...valid, LOG_LEVEL: "loud" })).toMatch(/LOG_LEVEL/);
  });

  it("reads WORKER_QUEUES as a list of known queues (all by default)", () => {
    expect(loadConfig(valid).WORKER_QUEUES).toEqual(["steps", "effects", "alerts", "maintenance"]);
    expect(loadConfig({ ...valid, WORKER_QUEUES: " alerts ,alerts" }).WORKER_QUEUES).toEqual(["alerts"]);
    expect(loadConfig({ ...valid, WORKER_QUEUES: "steps,effects" }).WORKER_QUEUES).toEqual(["steps", "effects"]);
    expect(message({ ...valid, WORKER_QUEUES: "alerts,bogus" })).toContain("WORKER_QUEUES must be a comma-separated list of steps, effects, alerts, maintenance");
    expect(message({ ...valid, WORKER_QUEUES: " , " })).toContain("WORKER_QUEUES must name at least one queue");
  });

  it("redacts passwords in URLs for messages", () => {
    expect(redactUrl("postgresql://u:secret@h:5432/db")).toBe("postgresql://u:***@h:5432/db");
    expect(redactUrl("postgresql://u:secret@h:5432/db")).not.toContain("secret");
  });
});

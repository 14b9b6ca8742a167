import { z } from "zod";

/**
 * Configuration comes only from environment variables, validated once at
 * start-up. Every variable is documented in .env.example; a missing or
 * malformed one stops start-up with a one-line message naming it.
 */

const url = (protocols: string[]) =>
  z.string().trim().min(1, "is empty").refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.map((p) => p.replace(":", "://")).join(" or ")}... URL`);

const int = (min: number, max: number) =>
  z.coerce.number({ error: "must be a number" }).int("must be an integer").min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

const bool = z.enum(["true", "false", "1", "0"], { error: "must be true or false" }).transform((v) => v === "true" || v === "1");

/** The queues a worker process can consume: step jobs, effect jobs (API call, code, modify, queue), alert deliveries, housekeeping. */
export const WORKER_QUEUE_NAMES = ["steps", "effects", "alerts", "maintenance"] as const;
export type WorkerQueueName = (typeof WORKER_QUEUE_NAMES)[number];

export const envSchema = z.object({
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  REDIS_URL: url(["redis:", "rediss:"]),
  APP_URL: url(["http:", "https:"]).default("http://127.0.0.1:3000"),
  HOST: z.string().default("127.0.0.1"),
  PORT: int(1, 65535).default(3000),
  AUTH_SECRET: z.string({ error: "is required (32+ random characters; `openssl rand -base64 32`)" }).min(32, "must be at least 32 characters"),
  ENCRYPTION_KEY: z
    .string({ error: "is required (32 bytes as base64; `openssl rand -base64 32`)" })
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded as base64"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_:-]+$/, "may hold letters, digits, _ : - only").default("conveyor"),
  WORKER_CONCURRENCY: int(1, 1000).default(32),
  // Step transactions a worker process runs at once (0 = the number of CPUs, at least 2). Jobs
  // beyond it wait and join bigger batches: more at once only adds lock and WAL contention.
  WORKER_STEP_TRANSACTIONS: int(0, 256).default(0),
  // What a worker process consumes (docs/scaling.md): all by default; e.g. `alerts` for a worker
  // that only delivers alerts, so they never wait behind step work in a flood.
  WORKER_QUEUES: z
    .string()
    .default(WORKER_QUEUE_NAMES.join(","))
    .transform((v) => [...new Set(v.split(",").map((q) => q.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(WORKER_QUEUE_NAMES, { error: `must be a comma-separated list of ${WORKER_QUEUE_NAMES.join(", ")}` })).min(1, "must name at least one queue")),
  TASK_SIZE_LIMIT_BYTES: int(1024, 16 * 1024 * 1024).default(1_048_576),
  SECURE_COOKIES: bool.optional(),
  INGEST_MAX_REQUEST_BYTES: int(1024, 512 * 1024 * 1024).default(20 * 1024 * 1024),
  INGEST_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default(100 * 1024 * 1024),
  INGEST_MAX_RECORDS: int(1, 1_000_000).default(10_000),
  // Alert delivery (docs/alerts.md): attempts per round before dead-letter, exponential backoff from base to cap, per-request timeout.
  ALERT_MAX_ATTEMPTS: int(1, 100).default(10),
  ALERT_RETRY_BASE_MS: int(10, 3_600_000).default(2000),
  ALERT_RETRY_MAX_MS: int(10, 86_400_000).default(300_000),
  ALERT_TIMEOUT_MS: int(100, 120_000).default(10_000),
  ALERT_CONCURRENCY: int(1, 1000).default(64),
  // Outbound HTTP/SMTP to loopback and private networks (cloud metadata and link-local stay blocked). Off by default.
  HTTP_ALLOW_PRIVATE: bool.default(false),
  // API Call blocks: hosts, IPs or CIDRs allowed even when private (comma-separated), and the largest request body.
  HTTP_ALLOW_HOSTS: z.string().default("").transform((v) => v.split(",").map((h) => h.trim()).filter(Boolean)),
  HTTP_MAX_REQUEST_BYTES: int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
  // Code blocks (isolated-vm): memory per run and runs at once per worker (0 = the number of CPUs, at least 2).
  CODE_MEMORY_MB: int(8, 1024).default(32),
  CODE_MAX_CONCURRENT: int(0, 256).default(0),
  // Observability (docs/observability.md). /api/metrics answers a bearer token equal to METRICS_TOKEN (or an admin session).
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (openssl rand -hex 24)").optional(),
  // Counter history: a snapshot of every process's node counters every N seconds (one row per changed minute), kept N days.
  COUNTER_SNAPSHOT_INTERVAL_SEC: int(1, 60).default(15),
  COUNTER_HISTORY_DAYS: int(1, 3650).default(30),
  // Retention: how often policies are applied; the default for processes without a policy (0 keeps their tasks); where archives go.
  RETENTION_INTERVAL_SEC: int(10, 86_400).default(600),
  TASK_RETENTION_DEFAULT_DAYS: int(0, 3650).default(0),
  RETENTION_ARCHIVE_DIR: z.string().min(1).default(".data/archive"),
  SNS_CONFIRM_HOST_PATTERN: z
    .string()
    .refine((v) => {
      try {
        new RegExp(v);
        return true;
      } catch {
        return false;
      }
    }, "must be a regular expression")
    .default("^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$"),
});

export type AppConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws a ConfigError whose message names every bad variable on one line. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? "environment");
    const missing = i.code === "invalid_type" && cleaned[name] === undefined;
    return missing ? `${name} is missing${/required/.test(i.message) ? ` (${i.message.replace(/^is required \(?|\)$/g, "")})` : ""}` : `${name} ${i.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join("; ")}. See .env.example.`);
}

let cached: AppConfig | undefined;
/** The process-wide configuration (parsed once). */
export function config(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** Redacts the password of a connection URL for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable URL>";
  }
}

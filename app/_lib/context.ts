import "server-only";
import { config, type AppConfig } from "@/server/config";
import { createDb, type Db } from "@/server/db/client";
import { createRedis } from "@/server/redis";
import { createAuth, type Auth } from "@/server/auth/auth";
import { createLogger, type Logger } from "@/server/logger";
import { createProducer, type Producer } from "@/workers/queues";
import type { Redis } from "ioredis";
import { createPool, type Pool } from "@/server/db/pool";
import { createSecretBox, type SecretBox } from "@/server/crypto/secret-box";
import { ProcessCatalog } from "@/server/execution/catalog";
import { createExecutor, type Executor } from "@/server/execution/executor";
import { createDispatcher } from "@/workers/dispatcher";

/**
 * The web app's composition root: one set of clients per server process, built
 * on first use from the validated configuration. Kept on globalThis so that
 * dev-mode module reloads do not open new pools.
 */
export interface WebContext {
  config: AppConfig;
  db: Db;
  redis: Redis;
  auth: Auth;
  producer: Producer;
  log: Logger;
  /** For the executor's hand-tuned SQL (modify by ref, callbacks). */
  pool: Pool;
  box: SecretBox;
  /** Runs events (a modify, a callback) on tasks at once, answering whether they were accepted. */
  executor: Executor;
}

const g = globalThis as unknown as { __conveyorWeb?: WebContext };

export function webContext(): WebContext {
  if (g.__conveyorWeb) return g.__conveyorWeb;
  const cfg = config();
  const db = createDb({ databaseUrl: cfg.DATABASE_URL });
  const redis = createRedis({ redisUrl: cfg.REDIS_URL });
  const log = createLogger({ name: "web", level: cfg.LOG_LEVEL });
  redis.on("error", (err) => log.warn({ err: err.message }, "redis connection error"));
  // The plain pool carries task creation (the task APIs and ingestion) and callbacks; Prisma's pool the rest.
  const pool = createPool({ databaseUrl: cfg.DATABASE_URL, max: 10 });
  const dispatcher = createDispatcher({ redisUrl: cfg.REDIS_URL, prefix: cfg.QUEUE_PREFIX, pool });
  g.__conveyorWeb = {
    config: cfg,
    db,
    redis,
    auth: createAuth({ db, redis, appUrl: cfg.APP_URL, secret: cfg.AUTH_SECRET, secureCookies: cfg.SECURE_COOKIES, prefix: cfg.QUEUE_PREFIX }),
    producer: createProducer({ redisUrl: cfg.REDIS_URL, prefix: cfg.QUEUE_PREFIX }),
    log,
    pool,
    box: createSecretBox(cfg.ENCRYPTION_KEY),
    executor: createExecutor({ pool, redis, prefix: cfg.QUEUE_PREFIX, catalog: new ProcessCatalog(pool), dispatcher, options: { taskSizeLimit: cfg.TASK_SIZE_LIMIT_BYTES }, log }),
  };
  return g.__conveyorWeb;
}

import { testEnv, testUrls, withDatabaseName } from "../../server/testing/test-env.ts";

/**
 * The e2e stack has its own database, Redis database, queue prefix and port.
 * E2E_PORT, E2E_DB_NAME and E2E_REDIS_DB move it aside, so two runs (or a
 * benchmark) on one machine do not share a server.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };
/** The bearer token a Prometheus scraper sends to /metrics on the e2e server. */
export const E2E_METRICS_TOKEN = "e2e-metrics-token-0123456789abcdef";

export function e2eEnv(): Record<string, string> {
  const { databaseUrl, redisUrl } = testUrls();
  const r = new URL(redisUrl);
  r.pathname = `/${process.env.E2E_REDIS_DB ?? "2"}`;
  return {
    ...testEnv(),
    DATABASE_URL: withDatabaseName(databaseUrl, process.env.E2E_DB_NAME ?? "conveyor_e2e"),
    REDIS_URL: r.toString(),
    QUEUE_PREFIX: "conveyor-e2e",
    APP_URL: E2E_BASE_URL,
    HOST: "127.0.0.1",
    PORT: String(E2E_PORT),
    LOG_LEVEL: "info",
    // Alert channels in the e2e tests point at receivers on 127.0.0.1.
    HTTP_ALLOW_PRIVATE: "true",
    METRICS_TOKEN: E2E_METRICS_TOKEN,
  };
}

import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Anything that looks like a credential is redacted at
 * the logger, so a careless `log.info({ channel })` cannot leak a secret.
 */
export const REDACT_PATHS = [
  "password", "*.password", "secret", "*.secret", "token", "*.token", "apiKey", "*.apiKey",
  "authorization", "*.authorization", "headers.authorization", "*.headers.authorization",
  "cookie", "*.cookie", "headers.cookie", "*.headers.cookie", "webhookUrl", "*.webhookUrl",
  // A channel's decrypted secrets travel as `secrets` (server/alerts): the whole object goes.
  "secrets", "*.secrets", "*.*.secrets", "signingSecret", "*.signingSecret", "botToken", "*.botToken", "authToken", "*.authToken",
];

export function createLogger({ level = "info", name }: { level?: string; name: string }): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: name } });
}

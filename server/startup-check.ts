// Imported once by the web server at start (instrumentation.ts): stop at once,
// with one line naming the problem, when the configuration is invalid or
// PostgreSQL/Redis cannot be used.
import { ConfigError, loadConfig } from "./config.ts";
import { PreflightError, preflight } from "./preflight.ts";

try {
  await preflight(loadConfig());
} catch (err) {
  if (err instanceof ConfigError || err instanceof PreflightError) {
    console.error(`conveyor: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

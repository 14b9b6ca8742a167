// Runs once when the Next.js server starts: stop at once, with one line naming
// the problem, when the configuration is invalid or PostgreSQL/Redis cannot be used.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ConfigError, loadConfig } = await import("./server/config");
  const { PreflightError, preflight } = await import("./server/preflight");
  try {
    await preflight(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PreflightError) {
      console.error(`conveyor: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

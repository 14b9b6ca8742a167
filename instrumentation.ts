// Runs once when the Next.js server starts. The Node-only start-up check lives
// in its own module so the edge bundle never sees it.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./server/startup-check");
}

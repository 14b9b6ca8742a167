import { defineConfig } from "vitest/config";
import path from "node:path";

// Two projects: fast unit tests (no I/O) and integration tests that talk to the
// real PostgreSQL and Redis. Integration tests run one file at a time because
// they share one database and one Redis.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "server/testing/empty-module.ts") } },
  test: {
    // isolated-vm (the Code block sandbox) needs this flag on Node 20.
    execArgv: ["--no-node-snapshot"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{engine,server,workers,components,app,scripts,integrations,templates}/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.integration.test.ts"],
          exclude: ["**/node_modules/**"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ["./server/testing/global-setup.ts"],
        },
      },
    ],
  },
});

import { describe, expect, it } from "vitest";
import type { Pool } from "../db/pool.ts";
import { ProcessCatalog } from "./catalog.ts";

const scheme = { nodes: [{ id: "start", obj_type: 1, title: "Start", condition: { logics: [{ type: "go", to_node_id: "end" }], semaphors: [] } }, { id: "end", obj_type: 2, title: "End", condition: { logics: [], semaphors: [] } }] };

/** Answers the catalog's two queries; `hold` keeps every answer back (a pool with no free connection). */
function fakeDb({ hold = false } = {}) {
  const calls: string[] = [];
  const db = {
    calls,
    query: (sql: string) => {
      calls.push(sql);
      if (hold) return new Promise(() => {});
      if (sql.includes("FROM process_version")) return Promise.resolve({ rows: [{ scheme }] });
      return Promise.resolve({ rows: [{ id: 7, status: "active", conv_type: "process", published_version_id: 70 }] });
    },
  };
  return db as unknown as Pool & { calls: string[] };
}

describe("ProcessCatalog", () => {
  it("does not make a transaction wait for a lookup running on another connection (a full pool would deadlock)", async () => {
    const pool = fakeDb({ hold: true }); // every pool connection is held by transactions waiting on the catalog
    const catalog = new ProcessCatalog(pool);
    void catalog.target("7", 1000); // after-commit work looks the target up on the pool: never answered
    const client = fakeDb();
    const found = await catalog.target("7", 1000, client);
    expect(found.ok && found.target.versionId).toBe(70);
    // The answer is shared from now on, whoever asks.
    const other = fakeDb();
    expect((await catalog.target("7", 1001, other)).ok).toBe(true);
    expect(await catalog.scheme(70, other)).toBe(await catalog.scheme(70, client));
    expect(other.calls).toEqual([]);
  });

  it("shares a lookup in flight on the same connection", async () => {
    const client = fakeDb();
    const catalog = new ProcessCatalog(fakeDb({ hold: true }));
    const [a, b] = await Promise.all([catalog.target("7", 1000, client), catalog.target("7", 1000, client)]);
    expect(a).toBe(b);
    expect(client.calls.filter((q) => q.includes("FROM process WHERE"))).toHaveLength(1);
  });
});

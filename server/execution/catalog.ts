import type { Pool } from "../db/pool.ts";

/** Something to query with: the pool, or the client of the transaction in progress. */
export type Queryable = Pick<Pool, "query">;
import { parseScheme, startNode, type ProcessScheme } from "../../engine/index.ts";

export interface RunnableTarget {
  processId: number;
  versionId: number;
  scheme: ProcessScheme;
  convType: string;
}

export type TargetLookup = { ok: true; target: RunnableTarget } | { ok: false; tag: "access_denied" | "conveyor_is_not_active" | "not_published"; description: string };

/** A cached answer, or one being fetched on `db` (a pool, or a transaction's client). */
interface CacheEntry<T> {
  value: Promise<T>;
  db: Queryable;
  settled: boolean;
}

/**
 * Where tasks can go: published versions by id (immutable, cached for good)
 * and each process's current published version (cached briefly, so a publish
 * reaches new tasks within `ttlMs`).
 */
export class ProcessCatalog {
  private readonly versions = new Map<number, CacheEntry<ProcessScheme>>();
  private readonly targets = new Map<string, CacheEntry<TargetLookup> & { at: number }>();

  constructor(private readonly pool: Pool, private readonly ttlMs = 1000, private readonly maxVersions = 2000) {}

  /**
   * Callers inside a transaction pass its client: taking a second pool
   * connection while holding one can deadlock a busy pool.
   */
  scheme(versionId: number, db: Queryable = this.pool): Promise<ProcessScheme> {
    const hit = this.versions.get(versionId);
    // A lookup still running on another connection is not waited for: it may need a pool
    // connection that this caller's transaction (and others like it) holds.
    if (hit && (hit.settled || hit.db === db)) return hit.value;
    const entry: CacheEntry<ProcessScheme> = {
      db,
      settled: false,
      value: db.query<{ scheme: unknown }>("SELECT scheme FROM process_version WHERE id = $1", [versionId]).then((r) => {
        if (!r.rows[0]) throw new Error(`process version ${versionId} does not exist`);
        return parseScheme(r.rows[0].scheme);
      }),
    };
    entry.value.then(() => (entry.settled = true), () => this.versions.get(versionId) === entry && this.versions.delete(versionId));
    if (!hit) {
      if (this.versions.size >= this.maxVersions) this.versions.delete(this.versions.keys().next().value as number);
      this.versions.set(versionId, entry);
    }
    return entry.value;
  }

  /** Resolves a logic's `conv_id` (a process id, or a Corezoid id an import mapped) to its published version. */
  target(convId: string, now: number, db: Queryable = this.pool): Promise<TargetLookup> {
    const hit = this.targets.get(convId);
    // Fresh, and either answered or being looked up on this caller's own connection (see scheme()).
    if (hit && now - hit.at < this.ttlMs && (hit.settled || hit.db === db)) return hit.value;
    const entry = { at: now, db, settled: false, value: this.lookup(convId, db) };
    entry.value.then(() => (entry.settled = true), () => this.targets.get(convId) === entry && this.targets.delete(convId));
    this.targets.set(convId, entry);
    if (this.targets.size > 5000) this.targets.delete(this.targets.keys().next().value as string);
    return entry.value;
  }

  private async lookup(convId: string, db: Queryable): Promise<TargetLookup> {
    const id = /^\d{1,9}$/.test(convId) ? Number(convId) : null;
    if (id === null) return { ok: false, tag: "access_denied", description: `unknown process ${JSON.stringify(convId)}` };
    const { rows } = await db.query<{ id: number; status: string; conv_type: string; published_version_id: number | null }>(
      "SELECT id, status, conv_type, published_version_id FROM process WHERE id = $1",
      [id],
    );
    const p = rows[0];
    if (!p) return { ok: false, tag: "access_denied", description: `process ${convId} does not exist` };
    if (p.status !== "active") return { ok: false, tag: "conveyor_is_not_active", description: "conveyor is not active" };
    if (!p.published_version_id) return { ok: false, tag: "not_published", description: `process ${convId} has no published version` };
    const scheme = await this.scheme(p.published_version_id, db);
    startNode(scheme); // throws if the version has no Start
    return { ok: true, target: { processId: p.id, versionId: p.published_version_id, scheme, convType: p.conv_type } };
  }
}

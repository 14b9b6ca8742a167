import { countThreshold, nodeKind, safeParseScheme, type NodeKind } from "../../engine/index.ts";
import type { Pool } from "../db/pool.ts";

/** What dashboards need to know of a process's nodes: titles, kinds, Sum ids, task-counter thresholds. */
export interface NodeInfo {
  id: string;
  title: string;
  kind: NodeKind;
  sums: Array<{ id: string; name: string }>;
  /** The node's task-counter semaphor threshold, if it has one. */
  threshold: number | null;
}

export interface ProcessNodes {
  id: number;
  title: string;
  folderId: number | null;
  /** The version new tasks enter with; null: never published (nodes come from the draft). */
  publishedVersion: number | null;
  nodes: NodeInfo[];
}

const nodeTitle = (n: { id: string; title?: string | null }) => n.title?.trim() || n.id;

/**
 * Reads processes' nodes from the published scheme (else the draft). Charts
 * label series with these titles, and `auto` measures tell final nodes
 * (running totals) from the others.
 */
export async function loadProcessNodes({ pool, processIds }: { pool: Pool; processIds?: number[] }): Promise<Map<number, ProcessNodes>> {
  const { rows } = await pool.query<{ id: number; title: string; folder_id: number | null; version: number | null; scheme: unknown }>(
    `SELECT p.id, p.title, p.folder_id, v.version, coalesce(v.scheme, p.draft) AS scheme
     FROM process p LEFT JOIN process_version v ON v.id = p.published_version_id
     WHERE $1::int[] IS NULL OR p.id = ANY($1::int[]) ORDER BY p.title, p.id`,
    [processIds ?? null],
  );
  const out = new Map<number, ProcessNodes>();
  for (const r of rows) {
    const parsed = safeParseScheme(r.scheme);
    const nodes: NodeInfo[] = parsed.ok
      ? parsed.scheme.nodes.map((n) => ({
          id: n.id,
          title: nodeTitle(n),
          kind: nodeKind(n),
          sums: n.condition.logics.flatMap((l) => (l.type === "api_sum" ? l.extra.map((e) => ({ id: e.id, name: e.name || e.id })) : [])),
          threshold: countThreshold(n),
        }))
      : [];
    out.set(r.id, { id: r.id, title: r.title, folderId: r.folder_id, publishedVersion: r.version, nodes });
  }
  return out;
}

export const isFinal = (kind: NodeKind) => kind === "final-success" || kind === "final-error";

import type { Db } from "../db/client.ts";

/** DTOs for pages: plain objects, no Prisma types. */
export interface ProcessListItem {
  id: number;
  title: string;
  description: string;
  folder: string | null;
  status: string;
  publishedVersion: number | null;
  updatedAt: string;
}

export async function listProcesses({ db }: { db: Db }): Promise<ProcessListItem[]> {
  const rows = await db.process.findMany({
    orderBy: [{ folderId: "asc" }, { title: "asc" }],
    select: { id: true, title: true, description: true, status: true, updatedAt: true, folder: { select: { name: true } }, publishedVersion: { select: { version: true } } },
  });
  return rows.map((r) => ({ id: r.id, title: r.title, description: r.description, folder: r.folder?.name ?? null, status: r.status, publishedVersion: r.publishedVersion?.version ?? null, updatedAt: r.updatedAt.toISOString() }));
}

export interface ProcessForEditor {
  id: number;
  title: string;
  status: string;
  directUrlHash: string;
  publishedVersion: number | null;
  /** The scheme shown: the published version's, else the draft. */
  scheme: { nodes: unknown[] };
}

export async function getProcessForEditor({ db, id }: { db: Db; id: number }): Promise<ProcessForEditor | null> {
  const p = await db.process.findUnique({
    where: { id },
    select: { id: true, title: true, status: true, draft: true, directUrlHash: true, publishedVersion: { select: { version: true, scheme: true } } },
  });
  if (!p) return null;
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    directUrlHash: p.directUrlHash,
    publishedVersion: p.publishedVersion?.version ?? null,
    scheme: ((p.publishedVersion?.scheme ?? p.draft) as { nodes: unknown[] }) ?? { nodes: [] },
  };
}

import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";

/** DTOs for pages and route handlers: plain objects, no Prisma types. */
export interface ProcessListItem {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  folder: string | null;
  convType: string;
  status: string;
  publishedVersion: number | null;
  updatedAt: string;
}

export interface FolderDto {
  id: number;
  name: string;
  parentId: number | null;
}

export async function listProcesses({ db }: { db: Db }): Promise<ProcessListItem[]> {
  const rows = await db.process.findMany({
    orderBy: [{ folderId: "asc" }, { title: "asc" }],
    select: { id: true, title: true, description: true, folderId: true, convType: true, status: true, updatedAt: true, folder: { select: { name: true } }, publishedVersion: { select: { version: true } } },
  });
  return rows.map((r) => ({
    id: r.id, title: r.title, description: r.description, folderId: r.folderId, folder: r.folder?.name ?? null, convType: r.convType,
    status: r.status, publishedVersion: r.publishedVersion?.version ?? null, updatedAt: r.updatedAt.toISOString(),
  }));
}

export async function listFolders({ db }: { db: Db }): Promise<FolderDto[]> {
  return db.folder.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, parentId: true } });
}

/** Everything the process browser shows: the folder tree and every process. */
export async function listProcessTree({ db }: { db: Db }): Promise<{ folders: FolderDto[]; processes: ProcessListItem[] }> {
  const [folders, processes] = await Promise.all([listFolders({ db }), listProcesses({ db })]);
  return { folders, processes };
}

export interface EditorProcess {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  folder: string | null;
  convType: "process" | "state";
  status: string;
  directUrlHash: string;
  params: unknown[];
  /** The draft scheme the editor edits, in Corezoid's format. */
  draft: { nodes: unknown[] };
  draftRevision: number;
  /** The version new tasks enter with (what the live view shows). */
  published: { version: number; scheme: { nodes: unknown[] }; createdAt: string } | null;
}

export async function getEditorProcess({ db, id }: { db: Db; id: number }): Promise<EditorProcess | null> {
  const p = await db.process.findUnique({
    where: { id },
    select: {
      id: true, title: true, description: true, folderId: true, convType: true, status: true, directUrlHash: true, params: true, draft: true, draftRevision: true,
      folder: { select: { name: true } }, publishedVersion: { select: { version: true, scheme: true, createdAt: true } },
    },
  });
  if (!p) return null;
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    folderId: p.folderId,
    folder: p.folder?.name ?? null,
    convType: p.convType === "state" ? "state" : "process",
    status: p.status,
    directUrlHash: p.directUrlHash,
    params: Array.isArray(p.params) ? (p.params as unknown[]) : [],
    draft: (p.draft as { nodes: unknown[] } | null) ?? { nodes: [] },
    draftRevision: p.draftRevision,
    published: p.publishedVersion
      ? { version: p.publishedVersion.version, scheme: p.publishedVersion.scheme as { nodes: unknown[] }, createdAt: p.publishedVersion.createdAt.toISOString() }
      : null,
  };
}

export interface VersionListItem {
  version: number;
  createdAt: string;
  createdBy: string | null;
  /** The version new tasks enter with. */
  current: boolean;
  nodes: number;
}

/** Published versions, newest first, with who published them. */
export async function listVersions({ db, processId }: { db: Db; processId: number }): Promise<VersionListItem[]> {
  const proc = await db.process.findUnique({ where: { id: processId }, select: { publishedVersionId: true } });
  if (!proc) throw new AppError("not_found", `process ${processId} does not exist`);
  const rows = await db.processVersion.findMany({
    where: { processId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, createdAt: true, createdById: true, scheme: true },
  });
  const names = await userLabels(db, rows.map((r) => r.createdById));
  return rows.map((r) => ({
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdById ? (names.get(r.createdById) ?? "a deleted operator") : null,
    current: r.id === proc.publishedVersionId,
    nodes: ((r.scheme as { nodes?: unknown[] }).nodes ?? []).length,
  }));
}

export interface VersionDto {
  version: number;
  createdAt: string;
  createdBy: string | null;
  scheme: { nodes: unknown[] };
  params: unknown[];
}

export async function getVersion({ db, processId, version }: { db: Db; processId: number; version: number }): Promise<VersionDto> {
  const v = await db.processVersion.findUnique({
    where: { processId_version: { processId, version } },
    select: { version: true, createdAt: true, createdById: true, scheme: true, params: true },
  });
  if (!v) throw new AppError("not_found", `process ${processId} has no version ${version}`);
  const names = await userLabels(db, [v.createdById]);
  return {
    version: v.version,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdById ? (names.get(v.createdById) ?? "a deleted operator") : null,
    scheme: v.scheme as { nodes: unknown[] },
    params: Array.isArray(v.params) ? (v.params as unknown[]) : [],
  };
}

async function userLabels(db: Db, ids: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, email: true } });
  return new Map(users.map((u) => [u.id, u.name ? `${u.name} <${u.email}>` : u.email]));
}

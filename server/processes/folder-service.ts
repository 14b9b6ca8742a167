import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";

export async function createFolder({ db, name, parentId = null }: { db: Db; name: string; parentId?: number | null }): Promise<{ id: number; name: string; parentId: number | null }> {
  if (parentId !== null && !(await db.folder.findUnique({ where: { id: parentId }, select: { id: true } }))) {
    throw new AppError("not_found", `folder ${parentId} does not exist`);
  }
  return db.folder.create({ data: { name, parentId }, select: { id: true, name: true, parentId: true } });
}

export async function renameFolder({ db, folderId, name }: { db: Db; folderId: number; name: string }): Promise<{ before: string }> {
  const f = await db.folder.findUnique({ where: { id: folderId }, select: { name: true } });
  if (!f) throw new AppError("not_found", `folder ${folderId} does not exist`);
  await db.folder.update({ where: { id: folderId }, data: { name } });
  return { before: f.name };
}

/**
 * Deletes an empty folder. A folder that still holds processes or folders is
 * refused (409): deleting it would take processes and their tasks with it, or
 * scatter them — the operator moves or deletes them first, knowingly.
 */
export async function deleteFolder({ db, folderId }: { db: Db; folderId: number }): Promise<{ name: string }> {
  const f = await db.folder.findUnique({ where: { id: folderId }, select: { name: true, _count: { select: { processes: true, children: true } } } });
  if (!f) throw new AppError("not_found", `folder ${folderId} does not exist`);
  if (f._count.processes > 0 || f._count.children > 0) {
    throw new AppError("conflict", `folder "${f.name}" is not empty (${f._count.processes} process(es), ${f._count.children} folder(s)): move or delete them first`);
  }
  await db.folder.delete({ where: { id: folderId } });
  return { name: f.name };
}

/** A folder and every folder below it, parents first. */
export async function folderSubtree({ db, folderId }: { db: Db; folderId: number }): Promise<Array<{ id: number; name: string; parentId: number | null }>> {
  const all = await db.folder.findMany({ select: { id: true, name: true, parentId: true }, orderBy: { id: "asc" } });
  const root = all.find((f) => f.id === folderId);
  if (!root) throw new AppError("not_found", `folder ${folderId} does not exist`);
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...all.filter((f) => f.parentId === out[i].id));
  return out;
}

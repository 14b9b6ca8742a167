import { z } from "zod";
import type { Db, Prisma } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { widgetSchema, widgetsSchema, type Widget } from "./widgets.ts";

/** DTOs and changes of dashboards. Widgets are validated here, where they enter. */

export const createDashboardSchema = z.object({
  title: z.string().trim().min(1, "give the dashboard a title").max(200),
  description: z.string().max(2000).default(""),
  folderId: z.number().int().positive().nullable().default(null),
  widgets: widgetsSchema.default([]),
});

export const updateDashboardSchema = z.object({
  /** The revision the change was made on: a dashboard changed since answers 409. */
  revision: z.number().int().min(0),
  title: z.string().trim().min(1, "give the dashboard a title").max(200).optional(),
  description: z.string().max(2000).optional(),
  folderId: z.number().int().positive().nullable().optional(),
  widgets: widgetsSchema.optional(),
});

export interface DashboardListItem {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  widgets: number;
  updatedAt: string;
}

/** A stored widget that no longer parses stays visible as such, with the reason. */
export type StoredWidget = Widget | { type: "invalid"; id: string; title: string; width: number; problem: string; raw: unknown };

export interface DashboardDto {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  revision: number;
  widgets: StoredWidget[];
  updatedAt: string;
}

export function readWidgets(raw: unknown): StoredWidget[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((w, i) => {
    const parsed = widgetSchema.safeParse(w);
    if (parsed.success) return parsed.data;
    const obj = (w ?? {}) as { id?: unknown; title?: unknown };
    const issue = parsed.error.issues[0];
    return {
      type: "invalid", id: typeof obj.id === "string" ? obj.id : `invalid-${i}`, title: typeof obj.title === "string" ? obj.title : "", width: 1,
      problem: `${issue?.path.join(".") || "widget"}: ${issue?.message ?? "does not parse"}`, raw: w,
    };
  });
}

export async function listDashboards({ db }: { db: Db }): Promise<DashboardListItem[]> {
  const rows = await db.dashboard.findMany({ orderBy: [{ title: "asc" }, { id: "asc" }], select: { id: true, title: true, description: true, folderId: true, widgets: true, updatedAt: true } });
  return rows.map((r) => ({ id: r.id, title: r.title, description: r.description, folderId: r.folderId, widgets: Array.isArray(r.widgets) ? r.widgets.length : 0, updatedAt: r.updatedAt.toISOString() }));
}

export async function getDashboard({ db, id }: { db: Db; id: number }): Promise<DashboardDto> {
  const r = await db.dashboard.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `dashboard ${id} does not exist`);
  return { id: r.id, title: r.title, description: r.description, folderId: r.folderId, revision: r.revision, widgets: readWidgets(r.widgets), updatedAt: r.updatedAt.toISOString() };
}

async function assertFolder(db: Db, folderId: number | null | undefined): Promise<void> {
  if (folderId == null) return;
  if (!(await db.folder.findUnique({ where: { id: folderId }, select: { id: true } }))) throw new AppError("not_found", `folder ${folderId} does not exist`);
}

export async function createDashboard({ db, input, createdById }: { db: Db; input: z.infer<typeof createDashboardSchema>; createdById: string | null }): Promise<DashboardDto> {
  await assertFolder(db, input.folderId);
  const r = await db.dashboard.create({
    data: { title: input.title, description: input.description, folderId: input.folderId, widgets: input.widgets as Prisma.InputJsonValue, createdById },
    select: { id: true },
  });
  return getDashboard({ db, id: r.id });
}

/**
 * Applies a change made on `revision`. Two editors saving the same dashboard:
 * the second is refused (409) instead of silently dropping the first one's widgets.
 */
export async function updateDashboard({ db, id, input }: { db: Db; id: number; input: z.infer<typeof updateDashboardSchema> }): Promise<{ dashboard: DashboardDto; changed: string[] }> {
  await assertFolder(db, input.folderId);
  const { revision, ...changes } = input;
  const data = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  const { count } = await db.dashboard.updateMany({ where: { id, revision }, data: { ...data, revision: { increment: 1 } } as Prisma.DashboardUpdateManyMutationInput });
  if (count === 0) {
    const exists = await db.dashboard.findUnique({ where: { id }, select: { revision: true } });
    if (!exists) throw new AppError("not_found", `dashboard ${id} does not exist`);
    throw new AppError("conflict", `the dashboard was changed by someone else (revision ${exists.revision}, yours ${revision}): reload it and make your change again`);
  }
  return { dashboard: await getDashboard({ db, id }), changed: Object.keys(data) };
}

export async function deleteDashboard({ db, id }: { db: Db; id: number }): Promise<{ title: string }> {
  const r = await db.dashboard.findUnique({ where: { id }, select: { title: true } });
  if (!r) throw new AppError("not_found", `dashboard ${id} does not exist`);
  await db.dashboard.delete({ where: { id } });
  return { title: r.title };
}

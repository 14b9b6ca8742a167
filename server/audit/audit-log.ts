import type { Db, Prisma } from "../db/client.ts";

export interface AuditActor {
  type: "user" | "api" | "system";
  id?: string | null;
  label: string;
}

/** Actions the audit log records; a closed list so the filter UI can offer them. */
export const AUDIT_ACTIONS = [
  "auth.login", "auth.login_failed", "auth.logout", "auth.password_changed",
  "user.invited", "user.role_changed", "user.disabled", "user.enabled", "user.invite_accepted",
  "api_user.created", "api_user.secret_rotated", "api_user.grants_changed", "api_user.disabled", "api_user.deleted",
  "process.created", "process.updated", "process.published", "process.renamed", "process.moved", "process.deleted", "process.imported", "process.restored",
  "folder.created", "folder.renamed", "folder.deleted",
  "channel.created", "channel.updated", "channel.deleted",
  "source.created", "source.updated", "source.deleted",
  "task.created_by_hand", "task.modified_by_hand", "task.deleted_by_hand",
  "dashboard.created", "dashboard.updated", "dashboard.deleted", "retention.changed", "retention.removed",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Appends to the audit log. Never pass secrets in `details`: callers record
 * what changed (field names, masked values), not the values of credentials.
 */
export async function audit({ db, actor, action, target, details, ip }: {
  db: Pick<Db, "auditLog">;
  actor: AuditActor;
  action: AuditAction;
  target?: { type: string; id: string | number };
  details?: Record<string, unknown>;
  ip?: string | null;
}): Promise<void> {
  await db.auditLog.create({
    data: {
      actorType: actor.type, actorId: actor.id ?? null, actorLabel: actor.label, action,
      targetType: target?.type ?? null, targetId: target ? String(target.id) : null,
      details: (details ?? undefined) as Prisma.InputJsonValue | undefined, ip: ip ?? null,
    },
  });
}

export interface AuditEntryDto {
  id: string;
  at: string;
  actorType: string;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  ip: string | null;
}

export async function listAudit({ db, action, actorId, targetType, before, limit = 100 }: {
  db: Db;
  action?: string;
  actorId?: string;
  targetType?: string;
  before?: bigint;
  limit?: number;
}): Promise<AuditEntryDto[]> {
  const rows = await db.auditLog.findMany({
    where: { ...(action ? { action } : {}), ...(actorId ? { actorId } : {}), ...(targetType ? { targetType } : {}), ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: Math.min(limit, 500),
  });
  return rows.map((r) => ({ id: String(r.id), at: r.at.toISOString(), actorType: r.actorType, actorLabel: r.actorLabel, action: r.action, targetType: r.targetType, targetId: r.targetId, details: r.details, ip: r.ip }));
}

import type { Actor } from "@/server/auth/actor";
import type { AuditActor } from "@/server/audit/audit-log";

/** How a signed-in operator appears in the audit log. */
export function auditActor(actor: Actor): AuditActor {
  return { type: "user", id: actor.id, label: actor.email };
}

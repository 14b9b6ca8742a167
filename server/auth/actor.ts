import { AppError } from "../errors.ts";
import { can, describePermission, isRole, type Permission, type Role } from "./roles.ts";
import type { Auth } from "./auth.ts";

/** Who is asking: an operator signed in through a session cookie. */
export interface Actor {
  kind: "user";
  id: string;
  email: string;
  name: string;
  role: Role;
}

export async function getActor({ auth, headers }: { auth: Auth; headers: Headers }): Promise<Actor | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const u = session.user as { id: string; email: string; name: string; role?: string | null; banned?: boolean | null };
  if (u.banned) return null;
  return { kind: "user", id: u.id, email: u.email, name: u.name, role: isRole(u.role) ? u.role : "viewer" };
}

/** 401 without an actor, 403 when the actor's role lacks the permission. */
export function authorize(actor: Actor | null, permission: Permission): Actor {
  if (!actor) throw new AppError("unauthorized", "sign in first");
  if (!can(actor.role, permission)) throw new AppError("forbidden", `your role (${actor.role}) may not ${describePermission(permission)}`);
  return actor;
}

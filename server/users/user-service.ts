import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { hashPassword } from "../auth/password.ts";
import type { Role } from "../auth/roles.ts";

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export async function listUsers({ db }: { db: Db }): Promise<UserDto[]> {
  const rows = await db.user.findMany({ orderBy: { createdAt: "asc" }, include: { accounts: { where: { providerId: "credential" }, select: { id: true } } } });
  return rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: Boolean(u.banned), hasPassword: u.accounts.length > 0, createdAt: u.createdAt.toISOString() }));
}

/**
 * Invites an operator: the user exists at once (with its role) but cannot sign
 * in until it sets a password through the invitation link. The token is
 * returned once; only its hash is stored; it expires after 7 days.
 */
export async function inviteUser({ db, email, name, role, actorId }: { db: Db; email: string; name: string; role: Role; actorId: string }): Promise<{ user: UserDto; token: string }> {
  const normalized = email.trim().toLowerCase();
  if (await db.user.findUnique({ where: { email: normalized } })) throw new AppError("conflict", `a user with e-mail ${normalized} exists already`);
  const token = randomBytes(32).toString("base64url");
  const id = randomUUID();
  await db.$transaction([
    db.user.create({ data: { id, email: normalized, name, role, emailVerified: false } }),
    db.invite.create({ data: { id: randomUUID(), userId: id, tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + INVITE_TTL_MS), createdById: actorId } }),
  ]);
  return { user: { id, email: normalized, name, role, disabled: false, hasPassword: false, createdAt: new Date().toISOString() }, token };
}

/** A new invitation link for a user who has not set a password yet (the old links stop working). */
export async function reinviteUser({ db, userId, actorId }: { db: Db; userId: string; actorId: string }): Promise<{ token: string }> {
  const token = randomBytes(32).toString("base64url");
  await db.$transaction([
    db.invite.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } }),
    db.invite.create({ data: { id: randomUUID(), userId, tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + INVITE_TTL_MS), createdById: actorId } }),
  ]);
  return { token };
}

export async function describeInvite({ db, token }: { db: Db; token: string }): Promise<{ email: string; name: string } | null> {
  const inv = await db.invite.findUnique({ where: { tokenHash: tokenHash(token) } });
  if (!inv || inv.usedAt || inv.expiresAt < new Date()) return null;
  const user = await db.user.findUnique({ where: { id: inv.userId }, select: { email: true, name: true } });
  return user;
}

/** Sets the invited user's password (argon2id) and spends the invitation. */
export async function acceptInvite({ db, token, password }: { db: Db; token: string; password: string }): Promise<{ userId: string; email: string }> {
  if (password.length < 10) throw new AppError("bad_request", "the password must have at least 10 characters");
  if (password.length > 256) throw new AppError("bad_request", "the password must have at most 256 characters");
  const hash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const inv = await tx.invite.findUnique({ where: { tokenHash: tokenHash(token) } });
    if (!inv || inv.usedAt || inv.expiresAt < new Date()) throw new AppError("not_found", "this invitation link is not valid (used, expired or replaced)");
    await tx.invite.update({ where: { id: inv.id }, data: { usedAt: new Date() } });
    await tx.account.deleteMany({ where: { userId: inv.userId, providerId: "credential" } });
    await tx.account.create({ data: { id: randomUUID(), accountId: inv.userId, providerId: "credential", userId: inv.userId, password: hash } });
    const user = await tx.user.update({ where: { id: inv.userId }, data: { emailVerified: true }, select: { id: true, email: true } });
    return { userId: user.id, email: user.email };
  });
}

/** Changes a role or disables/enables a user; a disabled user's sessions end at once. The last admin cannot be demoted or disabled. */
export async function updateUser({ db, id, role, disabled, actorId }: { db: Db; id: string; role?: Role; disabled?: boolean; actorId: string }): Promise<UserDto> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new AppError("not_found", "no such user");
  const losesAdmin = user.role === "admin" && ((role !== undefined && role !== "admin") || disabled === true);
  if (losesAdmin && (await db.user.count({ where: { role: "admin", banned: { not: true } } })) <= 1) {
    throw new AppError("conflict", "this is the last active admin: promote another user first");
  }
  if (id === actorId && disabled) throw new AppError("conflict", "you cannot disable yourself");
  await db.$transaction([
    db.user.update({ where: { id }, data: { ...(role ? { role } : {}), ...(disabled !== undefined ? { banned: disabled } : {}) } }),
    ...(disabled ? [db.session.deleteMany({ where: { userId: id } })] : []),
  ]);
  return (await listUsers({ db })).find((u) => u.id === id)!;
}

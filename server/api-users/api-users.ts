import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import type { SecretBox } from "../crypto/secret-box.ts";

export type ApiRight = "create" | "modify" | "view";

export interface ApiGrantInput {
  folderId: number | null;
  canCreate: boolean;
  canModify: boolean;
  canView: boolean;
}

export interface ApiPrincipal {
  kind: "api";
  id: string;
  login: string;
  name: string;
  grants: ApiGrantInput[];
}

const newSecret = () => randomBytes(30).toString("base64url");
const newLogin = () => String(randomInt(1_000_000_000, 9_999_999_999));

/** Creates an API user; the secret is returned once and stored encrypted. */
export async function createApiUser({ db, box, name, grants, actorId }: { db: Db; box: SecretBox; name: string; grants: ApiGrantInput[]; actorId?: string | null }) {
  const secret = newSecret();
  const user = await db.apiUser.create({
    data: {
      id: randomUUID(), login: newLogin(), name, secretEnc: box.seal(secret), createdById: actorId ?? null,
      grants: { create: dedupeGrants(grants) },
    },
    select: { id: true, login: true, name: true },
  });
  return { ...user, secret };
}

/** A new secret (shown once); the old one stops working at once. */
export async function rotateApiSecret({ db, box, id }: { db: Db; box: SecretBox; id: string }): Promise<{ secret: string }> {
  const secret = newSecret();
  const res = await db.apiUser.updateMany({ where: { id }, data: { secretEnc: box.seal(secret), secretRotatedAt: new Date() } });
  if (res.count === 0) throw new AppError("not_found", "no such API user");
  return { secret };
}

export async function setApiGrants({ db, id, grants }: { db: Db; id: string; grants: ApiGrantInput[] }): Promise<void> {
  await db.$transaction([db.apiUserGrant.deleteMany({ where: { apiUserId: id } }), db.apiUserGrant.createMany({ data: dedupeGrants(grants).map((g) => ({ ...g, apiUserId: id })) })]);
}

function dedupeGrants(grants: ApiGrantInput[]): ApiGrantInput[] {
  const by = new Map<string, ApiGrantInput>();
  for (const g of grants) {
    const k = String(g.folderId);
    const prev = by.get(k);
    by.set(k, prev ? { folderId: g.folderId, canCreate: prev.canCreate || g.canCreate, canModify: prev.canModify || g.canModify, canView: prev.canView || g.canView } : g);
  }
  return [...by.values()];
}

/** Corezoid's request signature: hex(sha1(time + secret + body + secret)). */
export function corezoidSignature({ time, secret, body }: { time: string; secret: string; body: Buffer | string }): string {
  return createHash("sha1").update(time).update(secret).update(body).update(secret).digest("hex");
}

/**
 * Authenticates a Corezoid-style signed request: the login must exist and be
 * enabled, the time within `skewSec` of now, the signature right (compared in
 * constant time), and the signature not seen before within the window (a
 * replayed request is refused). Every failure is a 401 naming the problem.
 */
export async function authenticateSignedRequest({ db, box, redis, prefix, login, time, signature, body, nowMs = Date.now(), skewSec = 300 }: {
  db: Db;
  box: SecretBox;
  redis: Redis;
  prefix: string;
  login: string;
  time: string;
  signature: string;
  body: Buffer;
  nowMs?: number;
  skewSec?: number;
}): Promise<ApiPrincipal> {
  if (!/^\d{1,12}$/.test(time)) throw new AppError("unauthorized", "the time in the URL must be a unix time in seconds");
  if (Math.abs(nowMs / 1000 - Number(time)) > skewSec) throw new AppError("unauthorized", `the request time is more than ${skewSec} s away from the server's clock`);
  if (!/^[0-9a-fA-F]{40}$/.test(signature)) throw new AppError("unauthorized", "the signature must be 40 hex characters (sha1)");
  const user = await db.apiUser.findUnique({ where: { login }, include: { grants: true } });
  if (!user || user.disabled) throw new AppError("unauthorized", "unknown or disabled API login");
  const expected = Buffer.from(corezoidSignature({ time, secret: box.open(user.secretEnc), body }), "hex");
  if (!timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), "hex"))) throw new AppError("unauthorized", "wrong signature");
  const fresh = await redis.set(`${prefix}:sig:${login}:${signature.toLowerCase()}`, "1", "EX", skewSec * 2, "NX");
  if (fresh !== "OK") throw new AppError("unauthorized", "this signed request was already received (replay)");
  return { kind: "api", id: user.id, login: user.login, name: user.name, grants: user.grants.map((g) => ({ folderId: g.folderId, canCreate: g.canCreate, canModify: g.canModify, canView: g.canView })) };
}

/** Folder ids from the process's folder up to the root. */
export async function folderChainOf({ db, processId }: { db: Db; processId: number }): Promise<number[] | null> {
  const rows = await db.$queryRaw<Array<{ id: number | null }>>`
    WITH RECURSIVE chain AS (
      SELECT f.id, f.parent_id FROM folder f JOIN process p ON p.folder_id = f.id WHERE p.id = ${processId}
      UNION ALL SELECT f.id, f.parent_id FROM folder f JOIN chain c ON f.id = c.parent_id
    ) SELECT id FROM chain`;
  const exists = await db.process.count({ where: { id: processId } });
  return exists ? rows.map((r) => r.id as number) : null;
}

/** Whether a grant on the process's folder (or an ancestor, or on all folders) gives the right. */
export function grantAllows(grants: ApiGrantInput[], chain: number[], right: ApiRight): boolean {
  return grants.some((g) => (g.folderId === null || chain.includes(g.folderId)) && (right === "create" ? g.canCreate : right === "modify" ? g.canModify : g.canView));
}

export interface ApiUserDto {
  id: string;
  login: string;
  name: string;
  disabled: boolean;
  secretRotatedAt: string;
  createdAt: string;
  grants: Array<ApiGrantInput & { folderName: string | null }>;
}

/** API users without their secrets (never sent back after creation or rotation). */
export async function listApiUsers({ db }: { db: Db }): Promise<ApiUserDto[]> {
  const [users, folders] = await Promise.all([
    db.apiUser.findMany({ orderBy: { createdAt: "asc" }, include: { grants: { orderBy: { id: "asc" } } } }),
    db.folder.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(folders.map((f) => [f.id, f.name]));
  return users.map((u) => ({
    id: u.id, login: u.login, name: u.name, disabled: u.disabled, secretRotatedAt: u.secretRotatedAt.toISOString(), createdAt: u.createdAt.toISOString(),
    grants: u.grants.map((g) => ({ folderId: g.folderId, folderName: g.folderId === null ? null : (names.get(g.folderId) ?? `#${g.folderId}`), canCreate: g.canCreate, canModify: g.canModify, canView: g.canView })),
  }));
}

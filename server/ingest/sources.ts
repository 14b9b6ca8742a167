import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import { sha256 } from "./source-auth.ts";

export type SourceAuthType = "bearer" | "hmac";

export interface SourceDto {
  id: string;
  name: string;
  processId: number;
  processTitle: string | null;
  authType: string;
  replayWindowSec: number;
  disabled: boolean;
  lastUsedAt: string | null;
  acceptedTotal: number;
  createdAt: string;
}

/** A new credential: a bearer token (stored as SHA-256) or an HMAC secret (stored sealed). */
function credential(box: SecretBox, authType: SourceAuthType) {
  const value = randomBytes(32).toString("base64url");
  return { value, fields: authType === "bearer" ? { tokenHash: sha256(value), secretEnc: null } : { tokenHash: null, secretEnc: box.seal(value) } };
}

export async function createSource({ db, box, name, processId, authType, replayWindowSec = 300, actorId }: { db: Db; box: SecretBox; name: string; processId: number; authType: SourceAuthType; replayWindowSec?: number; actorId?: string | null }) {
  if (!(await db.process.findUnique({ where: { id: processId }, select: { id: true } }))) throw new AppError("bad_request", `process ${processId} does not exist`);
  const cred = credential(box, authType);
  const row = await db.ingestSource.create({ data: { id: randomUUID(), name, processId, authType, replayWindowSec, createdById: actorId ?? null, ...cred.fields }, select: { id: true, name: true } });
  return { ...row, credential: cred.value };
}

export async function rotateSourceCredential({ db, box, id }: { db: Db; box: SecretBox; id: string }): Promise<{ credential: string }> {
  const source = await db.ingestSource.findUnique({ where: { id } });
  if (!source) throw new AppError("not_found", "no such source");
  const cred = credential(box, source.authType as SourceAuthType);
  await db.ingestSource.update({ where: { id }, data: cred.fields });
  return { credential: cred.value };
}

export async function listSources({ db }: { db: Db }): Promise<SourceDto[]> {
  const rows = await db.ingestSource.findMany({ orderBy: { createdAt: "asc" } });
  const titles = new Map((await db.process.findMany({ where: { id: { in: rows.map((r) => r.processId) } }, select: { id: true, title: true } })).map((p) => [p.id, p.title]));
  return rows.map((r) => ({
    id: r.id, name: r.name, processId: r.processId, processTitle: titles.get(r.processId) ?? null, authType: r.authType, replayWindowSec: r.replayWindowSec,
    disabled: r.disabled, lastUsedAt: r.lastUsedAt?.toISOString() ?? null, acceptedTotal: Number(r.acceptedTotal), createdAt: r.createdAt.toISOString(),
  }));
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";

/** A new Direct URL secret: 40 hex characters, as Corezoid's hashes look. */
export const newDirectUrlHash = () => randomBytes(20).toString("hex");

/** 404 (not 403) for a wrong hash, so the URL space reveals nothing. */
export async function authorizeDirectUrl({ db, processId, hash }: { db: Db; processId: number; hash: string }): Promise<void> {
  const proc = await db.process.findUnique({ where: { id: processId }, select: { directUrlHash: true } });
  const expected = Buffer.from(proc?.directUrlHash ?? "");
  const given = Buffer.from(hash);
  if (!proc || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AppError("not_found", "unknown Direct URL");
  }
}

/** The secret part of a node's callback URL: derived from the process's Direct URL hash, so rotating that revokes them too. */
export function callbackHash(directUrlHash: string, nodeId: string): string {
  return createHmac("sha256", directUrlHash).update(`callback:${nodeId}`).digest("hex").slice(0, 40);
}

/** `/api/1/json/callback/{processId}/{nodeId}/{hash}`: POST here to modify the task waiting in that node. */
export function callbackPath(processId: number, nodeId: string, directUrlHash: string): string {
  return `/api/1/json/callback/${processId}/${nodeId}/${callbackHash(directUrlHash, nodeId)}`;
}

export async function authorizeCallbackUrl({ db, processId, nodeId, hash }: { db: Db; processId: number; nodeId: string; hash: string }): Promise<void> {
  const proc = await db.process.findUnique({ where: { id: processId }, select: { directUrlHash: true } });
  const expected = Buffer.from(proc ? callbackHash(proc.directUrlHash, nodeId) : "");
  const given = Buffer.from(hash);
  if (!proc || expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AppError("not_found", "unknown callback URL");
}

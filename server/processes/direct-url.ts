import { randomBytes, timingSafeEqual } from "node:crypto";
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

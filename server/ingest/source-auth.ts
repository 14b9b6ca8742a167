import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import { AppError } from "../errors.ts";
import type { SecretBox } from "../crypto/secret-box.ts";

export interface SourceCredentials {
  id: string;
  authType: string;
  tokenHash: string | null;
  secretEnc: string | null;
  replayWindowSec: number;
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The HMAC a sender computes: hex(HMAC-SHA256(secret, timestamp + "." + raw body)). */
export function ingestSignature({ secret, timestamp, body }: { secret: string; timestamp: string; body: Buffer | string }): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/**
 * Checks who posts to a source. Bearer: `Authorization: Bearer <token>` (or,
 * for SNS, which cannot send headers, HTTP Basic with the token as password
 * or `?token=`). HMAC: `X-Conveyor-Timestamp` (unix seconds or milliseconds) and
 * `X-Conveyor-Signature: sha256=<hex>` over timestamp + "." + the raw body;
 * the timestamp must be within the replay window and a signature is accepted
 * once. Every refusal is a 401 naming the problem.
 */
export async function authenticateSource({ source, headers, url, body, box, redis, prefix, nowMs = Date.now() }: {
  source: SourceCredentials;
  headers: Headers;
  url: URL;
  body: Buffer;
  box: SecretBox;
  redis: Redis;
  prefix: string;
  nowMs?: number;
}): Promise<void> {
  if (source.authType === "bearer") {
    const auth = headers.get("authorization") ?? "";
    let token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? null;
    const basic = /^Basic\s+(.+)$/i.exec(auth)?.[1];
    if (!token && basic) token = Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":") || null;
    token ??= url.searchParams.get("token");
    if (!token) throw new AppError("unauthorized", "missing credentials: send Authorization: Bearer <source token>");
    if (!source.tokenHash || !equalHex(sha256(token), source.tokenHash)) throw new AppError("unauthorized", "wrong source token");
    return;
  }
  if (source.authType === "hmac") {
    const ts = headers.get("x-conveyor-timestamp");
    const sig = /^sha256=([0-9a-f]{64})$/i.exec(headers.get("x-conveyor-signature") ?? "")?.[1]?.toLowerCase();
    if (!ts || !/^(\d{9,11}|\d{12,14})$/.test(ts)) throw new AppError("unauthorized", "missing or malformed X-Conveyor-Timestamp (unix seconds or milliseconds)");
    if (!sig) throw new AppError("unauthorized", "missing or malformed X-Conveyor-Signature (sha256=<64 hex>)");
    // Milliseconds let a sender re-send the same body within a second without looking like a replay.
    const tsMs = ts.length >= 12 ? Number(ts) : Number(ts) * 1000;
    if (Math.abs(nowMs - tsMs) / 1000 > source.replayWindowSec) throw new AppError("unauthorized", `the timestamp is outside the ${source.replayWindowSec} s replay window`);
    if (!source.secretEnc) throw new AppError("unauthorized", "the source has no signing secret");
    if (!equalHex(ingestSignature({ secret: box.open(source.secretEnc), timestamp: ts, body }), sig)) throw new AppError("unauthorized", "wrong signature");
    const fresh = await redis.set(`${prefix}:ingest-sig:${source.id}:${sig}`, "1", "EX", source.replayWindowSec * 2, "NX");
    if (fresh !== "OK") throw new AppError("unauthorized", "this signed request was already received (replay)");
    return;
  }
  throw new AppError("unauthorized", `the source's auth type ${source.authType} is not supported`);
}

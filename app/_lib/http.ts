import "server-only";
import { ZodError } from "zod";
import { AppError } from "@/server/errors";
import { authorize, getActor, type Actor } from "@/server/auth/actor";
import type { Permission } from "@/server/auth/roles";
import { createMetricsRecorder, type MetricsRecorder } from "@/server/observability/metrics";
import { routeMatcher, type RouteMatcher } from "@/server/observability/route-patterns";
import { webContext } from "./context";

/** A JSON error answer that names the problem. */
export function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  return Response.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status });
}

/**
 * Wraps a route handler: AppErrors and zod errors become 4xx answers; anything else is logged and becomes a 500 without internals.
 * Every answer's duration goes to the HTTP metrics, by route pattern (not URL), from whichever web server answered.
 */
export function route<C>(handler: (req: Request, ctx: C) => Promise<Response>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    const t0 = performance.now();
    const res = await answer(handler, req, ctx);
    recordRequest(req, res.status, (performance.now() - t0) / 1000);
    return res;
  };
}

const g = globalThis as unknown as { __conveyorHttpMetrics?: { recorder: MetricsRecorder; routes: RouteMatcher } };

function recordRequest(req: Request, status: number, seconds: number): void {
  try {
    if (!g.__conveyorHttpMetrics) {
      const { redis, config } = webContext();
      g.__conveyorHttpMetrics = { recorder: createMetricsRecorder({ redis, prefix: config.QUEUE_PREFIX }), routes: routeMatcher(`${process.cwd()}/app`) };
    }
    const { recorder, routes } = g.__conveyorHttpMetrics;
    recorder.httpRequest({ method: req.method, route: routes.match(new URL(req.url).pathname), status, seconds });
  } catch {
    // Metrics never fail a request.
  }
}

/** Runs the handler; AppErrors and zod errors become 4xx answers, anything else a logged 500 without internals. */
async function answer<C>(handler: (req: Request, ctx: C) => Promise<Response>, req: Request, ctx: C): Promise<Response> {
  try {
    return await handler(req, ctx);
  } catch (err) {
    if (err instanceof AppError) {
      const res = errorResponse(err.status, err.code, err.message, err.details);
      const retryAfter = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
      if (retryAfter) res.headers.set("retry-after", String(retryAfter));
      return res;
    }
    if (err instanceof ZodError) {
      const first = err.issues[0];
      const where = first?.path.length ? `${first.path.join(".")}: ` : "";
      return errorResponse(400, "bad_request", `${where}${first?.message ?? "invalid input"}`, err.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
    }
    webContext().log.error({ err, url: req.url, method: req.method }, "unhandled error in route");
    return errorResponse(500, "internal", "internal error; see the server log");
  }
}

/**
 * Resolves the signed-in operator and checks the permission (401/403
 * otherwise). A state-changing request must also come from this site
 * (its Origin is our host): a cookie alone never authorizes a change (CSRF).
 */
export async function requireActor(req: Request, permission: Permission): Promise<Actor> {
  const { auth } = webContext();
  const actor = authorize(await getActor({ auth, headers: req.headers }), permission);
  if (!["GET", "HEAD", "OPTIONS"].includes(req.method)) assertSameOrigin(req);
  return actor;
}

export function assertSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const appHost = new URL(webContext().config.APP_URL).host;
  let originHost: string | null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = "(unparseable)";
  }
  const sameSite = req.headers.get("sec-fetch-site") === "same-origin";
  if (originHost ? originHost !== host && originHost !== appHost : !sameSite) {
    throw new AppError("forbidden", "cross-site request refused: the Origin of a change must be this site");
  }
}

/**
 * Reads a JSON body with a size limit: 415 for another content type, 413 over
 * the limit, 400 for malformed JSON.
 */
export async function readJsonBody(req: Request, { limitBytes }: { limitBytes: number }): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (type && !/^application\/(.+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
    throw new AppError("unsupported_media_type", `expected a JSON body (Content-Type: application/json), got ${type}`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limitBytes) throw new AppError("payload_too_large", `body is larger than the limit of ${limitBytes} bytes`);
  const buf = await readLimited(req, limitBytes);
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw new AppError("bad_request", `body is not valid JSON: ${(err as Error).message}`);
  }
}

export async function readLimited(req: Request, limitBytes: number): Promise<Buffer> {
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", `body is larger than the limit of ${limitBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function parseId(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new AppError("bad_request", `${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** The client's address as the proxy in front of us reports it (for the audit log and rate limits). */
export function clientIp(req: Request): string | null {
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("x-real-ip") || null;
}

/**
 * A fixed-window rate limit in Redis, shared by every web instance; 429 with
 * Retry-After when exceeded. For public endpoints (invitations, ingestion).
 */
export async function rateLimit(key: string, { max, windowSec }: { max: number; windowSec: number }): Promise<void> {
  const { redis, config } = webContext();
  const k = `${config.QUEUE_PREFIX}:rl:${key}`;
  const res = await redis.multi().incr(k).expire(k, windowSec, "NX").ttl(k).exec();
  const count = Number(res?.[0]?.[1] ?? 0);
  if (count > max) throw new AppError("rate_limited", `too many requests: at most ${max} per ${windowSec} s; retry in ${Number(res?.[2]?.[1] ?? windowSec)} s`, { retryAfter: Number(res?.[2]?.[1] ?? windowSec) });
}

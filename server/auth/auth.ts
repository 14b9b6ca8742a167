import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { admin } from "better-auth/plugins";
import { nextCookies } from "better-auth/next-js";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { audit } from "../audit/audit-log.ts";
import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import { hashPassword, verifyPassword } from "./password.ts";

export interface AuthOptions {
  db: Db;
  redis: Redis;
  appUrl: string;
  secret: string;
  secureCookies?: boolean;
  /** Prefix of the Redis keys (QUEUE_PREFIX). */
  prefix?: string;
  /** Failed or successful sign-in attempts allowed per IP and minute. */
  signInPerMinute?: number;
  /** Failed sign-ins of one account before it is locked for `lockoutSeconds`. */
  maxFailedLogins?: number;
  lockoutSeconds?: number;
}

const clientIp = (headers: Headers | undefined) => headers?.get("x-forwarded-for")?.split(",")[0]?.trim() || headers?.get("x-real-ip") || null;

/**
 * Operator authentication (better-auth): e-mail + password hashed with argon2id,
 * sessions in HTTP-only cookies (Secure when served over https), no public
 * sign-up (admins invite users), and sign-in throttling whose counters live in
 * Redis so that every web instance shares them.
 */
export function createAuth({ db, redis, appUrl, secret, secureCookies, prefix = "conveyor", signInPerMinute = 10, maxFailedLogins = 10, lockoutSeconds = 900 }: AuthOptions) {
  const failKey = (email: string) => `${prefix}:loginfail:${email.trim().toLowerCase()}`;
  return betterAuth({
    appName: "Conveyor",
    // Users, roles and bans are managed through Conveyor's own audited routes
    // (/api/admin/*), so the admin plugin's HTTP endpoints are switched off.
    disabledPaths: [
      "/sign-up/email", "/delete-user", "/admin/ban-user", "/admin/create-user", "/admin/get-user", "/admin/has-permission", "/admin/impersonate-user",
      "/admin/list-user-sessions", "/admin/list-users", "/admin/remove-user", "/admin/revoke-user-session", "/admin/revoke-user-sessions",
      "/admin/set-role", "/admin/set-user-password", "/admin/stop-impersonating", "/admin/unban-user", "/admin/update-user",
    ],
    baseURL: appUrl,
    secret,
    database: prismaAdapter(db, { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      password: { hash: hashPassword, verify: verifyPassword },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: signInPerMinute }, "/change-password": { window: 60, max: 10 } },
      customStorage: {
        // Fixed window per key: INCR + EXPIRE in one round trip.
        async consume(key: string, rule: { window: number; max: number }) {
          const k = `${prefix}:ratelimit:${key}`;
          const res = await redis.multi().incr(k).expire(k, rule.window, "NX").exec();
          const count = Number(res?.[0]?.[1] ?? 0);
          if (count <= rule.max) return { allowed: true, retryAfter: null };
          const ttl = await redis.ttl(k);
          return { allowed: false, retryAfter: ttl > 0 ? ttl : rule.window };
        },
      },
    },
    advanced: {
      useSecureCookies: secureCookies ?? appUrl.startsWith("https://"),
      cookiePrefix: "conveyor",
      database: { generateId: () => crypto.randomUUID() },
    },
    hooks: {
      // Per-account lockout on top of the per-IP rate limit: a password
      // guessed from many addresses is still throttled.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "");
        if (email && Number(await redis.get(failKey(email))) >= maxFailedLogins) {
          throw new APIError("TOO_MANY_REQUESTS", { message: "Too many failed sign-ins for this account; try again later." });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        const ip = clientIp(ctx.headers);
        if (ctx.path === "/sign-in/email") {
          const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "").toLowerCase();
          const failed = ctx.context.returned instanceof APIError;
          if (failed) {
            const n = await redis.multi().incr(failKey(email)).expire(failKey(email), lockoutSeconds).exec();
            await audit({ db, actor: { type: "user", label: email || "(no e-mail)" }, action: "auth.login_failed", details: { attempts: Number(n?.[0]?.[1] ?? 0) }, ip });
          } else {
            await redis.del(failKey(email));
            const user = ctx.context.newSession?.user;
            await audit({ db, actor: { type: "user", id: user?.id, label: email }, action: "auth.login", ip });
          }
        } else if (ctx.path === "/sign-out") {
          const user = ctx.context.session?.user;
          if (user) await audit({ db, actor: { type: "user", id: user.id, label: user.email }, action: "auth.logout", ip });
        } else if (ctx.path === "/change-password" && !(ctx.context.returned instanceof APIError)) {
          const user = ctx.context.session?.user;
          if (user) await audit({ db, actor: { type: "user", id: user.id, label: user.email }, action: "auth.password_changed", ip });
        }
      }),
    },
    plugins: [admin({ defaultRole: "viewer", adminRoles: ["admin"] }), nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { admin } from "better-auth/plugins";
import { nextCookies } from "better-auth/next-js";
import type { Redis } from "ioredis";
import type { Db } from "../db/client.ts";
import { hashPassword, verifyPassword } from "./password.ts";

export interface AuthOptions {
  db: Db;
  redis: Redis;
  appUrl: string;
  secret: string;
  secureCookies?: boolean;
  /** Failed or successful sign-in attempts allowed per IP and minute. */
  signInPerMinute?: number;
}

/**
 * Operator authentication (better-auth): e-mail + password hashed with argon2id,
 * sessions in HTTP-only cookies (Secure when served over https), no public
 * sign-up (admins invite users), and sign-in throttling whose counters live in
 * Redis so that every web instance shares them.
 */
export function createAuth({ db, redis, appUrl, secret, secureCookies, signInPerMinute = 10 }: AuthOptions) {
  return betterAuth({
    appName: "Conveyor",
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
          const k = `conveyor:ratelimit:${key}`;
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
    plugins: [admin({ defaultRole: "viewer", adminRoles: ["admin"] }), nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, can, type Permission, type Role } from "@/server/auth/roles";
import { signedInCookies } from "@/server/testing/sessions";
import { testEnv } from "@/server/testing/test-env";

/**
 * Every route handler, enumerated from the file system, must be classified
 * here; each session-protected one is called for real (route handler, real
 * PostgreSQL/Redis, real better-auth sessions): anonymous → 401, a role
 * without the permission → 403, a role with it → neither.
 */
Object.assign(process.env, testEnv());
const { webContext } = await import("@/app/_lib/context");

type Rule =
  | { auth: "session"; permission: Permission }
  | { auth: "public"; why: string; anonymous: number[] };

const RULES: Record<string, Rule> = {
  "GET /api/health": { auth: "public", why: "load balancers probe it; it reveals only up/down", anonymous: [200, 503] },
  "GET /api/auth/[...all]": { auth: "public", why: "better-auth's own endpoints (session, sign-in) authenticate themselves", anonymous: [200, 401, 404] },
  "POST /api/auth/[...all]": { auth: "public", why: "sign-in and sign-out; better-auth checks credentials and throttles", anonymous: [400, 401, 403, 404] },
  "POST /api/[v]/json/[...path]": { auth: "public", why: "Corezoid API: each request carries a signature (API user) or a Direct URL hash", anonymous: [401, 404] },
  "POST /api/invite/[token]": { auth: "public", why: "the single-use invitation token is the credential", anonymous: [400, 404] },
  "GET /api/processes/[id]/counts": { auth: "session", permission: "task:read" },
  "POST /api/processes/[id]/tasks": { auth: "session", permission: "task:write" },
  "GET /api/processes/[id]/tasks": { auth: "session", permission: "task:read" },
  "DELETE /api/processes/[id]/tasks": { auth: "session", permission: "task:write" },
  "GET /api/tasks/[taskId]": { auth: "session", permission: "task:read" },
  "PATCH /api/tasks/[taskId]": { auth: "session", permission: "task:write" },
  "GET /api/processes": { auth: "session", permission: "process:read" },
  "POST /api/processes": { auth: "session", permission: "process:write" },
  "GET /api/processes/[id]": { auth: "session", permission: "process:read" },
  "PATCH /api/processes/[id]": { auth: "session", permission: "process:write" },
  "DELETE /api/processes/[id]": { auth: "session", permission: "process:write" },
  "PUT /api/processes/[id]/draft": { auth: "session", permission: "process:write" },
  "POST /api/processes/[id]/publish": { auth: "session", permission: "process:write" },
  "POST /api/processes/[id]/duplicate": { auth: "session", permission: "process:write" },
  "GET /api/processes/[id]/versions": { auth: "session", permission: "process:read" },
  "GET /api/processes/[id]/versions/[version]": { auth: "session", permission: "process:read" },
  "POST /api/processes/[id]/versions/[version]/restore": { auth: "session", permission: "process:write" },
  "GET /api/processes/[id]/export": { auth: "session", permission: "process:read" },
  "POST /api/folders": { auth: "session", permission: "process:write" },
  "PATCH /api/folders/[id]": { auth: "session", permission: "process:write" },
  "DELETE /api/folders/[id]": { auth: "session", permission: "process:write" },
  "GET /api/folders/[id]/export": { auth: "session", permission: "process:read" },
  "POST /api/import": { auth: "session", permission: "process:write" },
  "GET /api/admin/users": { auth: "session", permission: "user:manage" },
  "POST /api/admin/users": { auth: "session", permission: "user:manage" },
  "PATCH /api/admin/users/[id]": { auth: "session", permission: "user:manage" },
  "POST /api/admin/users/[id]/invite": { auth: "session", permission: "user:manage" },
  "GET /api/admin/api-users": { auth: "session", permission: "apiuser:manage" },
  "POST /api/admin/api-users": { auth: "session", permission: "apiuser:manage" },
  "PATCH /api/admin/api-users/[id]": { auth: "session", permission: "apiuser:manage" },
  "DELETE /api/admin/api-users/[id]": { auth: "session", permission: "apiuser:manage" },
  "POST /api/admin/api-users/[id]/rotate": { auth: "session", permission: "apiuser:manage" },
  "GET /api/admin/audit": { auth: "session", permission: "audit:read" },
  "POST /api/templates/aws-security-pack": { auth: "session", permission: "process:write" },
  "GET /api/admin/sources": { auth: "session", permission: "source:manage" },
  "POST /api/admin/sources": { auth: "session", permission: "source:manage" },
  "PATCH /api/admin/sources/[id]": { auth: "session", permission: "source:manage" },
  "DELETE /api/admin/sources/[id]": { auth: "session", permission: "source:manage" },
  "POST /api/admin/sources/[id]/rotate": { auth: "session", permission: "source:manage" },
  "GET /api/channels": { auth: "session", permission: "channel:read" },
  "POST /api/channels": { auth: "session", permission: "channel:manage" },
  "GET /api/channels/[id]": { auth: "session", permission: "channel:read" },
  "PATCH /api/channels/[id]": { auth: "session", permission: "channel:manage" },
  "DELETE /api/channels/[id]": { auth: "session", permission: "channel:manage" },
  "POST /api/channels/[id]/test": { auth: "session", permission: "channel:manage" },
  "GET /api/alerts": { auth: "session", permission: "alert:read" },
  "GET /api/alerts/[id]": { auth: "session", permission: "alert:read" },
  "POST /api/alerts/[id]/resend": { auth: "session", permission: "alert:resend" },
  "POST /api/alerts/preview": { auth: "session", permission: "task:read" },
  "POST /api/ingest/cloudtrail/[sourceId]": { auth: "public", why: "each source authenticates with its bearer token or HMAC signature", anonymous: [401, 404] },
  "GET /api/dashboards": { auth: "session", permission: "dashboard:read" },
  "POST /api/dashboards": { auth: "session", permission: "dashboard:write" },
  "GET /api/dashboards/catalog": { auth: "session", permission: "dashboard:read" },
  "GET /api/dashboards/[id]": { auth: "session", permission: "dashboard:read" },
  "PATCH /api/dashboards/[id]": { auth: "session", permission: "dashboard:write" },
  "DELETE /api/dashboards/[id]": { auth: "session", permission: "dashboard:write" },
  "GET /api/dashboards/[id]/data": { auth: "session", permission: "dashboard:read" },
  "GET /api/overview": { auth: "session", permission: "dashboard:read" },
  "GET /api/admin/retention": { auth: "session", permission: "retention:manage" },
  "PUT /api/admin/retention/[id]": { auth: "session", permission: "retention:manage" },
  "DELETE /api/admin/retention/[id]": { auth: "session", permission: "retention:manage" },
  "POST /api/admin/retention/run": { auth: "session", permission: "retention:manage" },
  // Scrapers send Authorization: Bearer METRICS_TOKEN (metrics.integration.test.ts); without it, an admin session.
  "GET /api/metrics": { auth: "session", permission: "metrics:read" },
  // The same handler at Prometheus' default path (app/metrics/route.ts); proxy.ts does not redirect it to the login page (e2e/dashboards.e2e.ts).
  "GET /metrics": { auth: "session", permission: "metrics:read" },
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const appDir = path.resolve(import.meta.dirname, "../../..");

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name.startsWith("_") ? [] : routeFiles(p);
    return name === "route.ts" ? [p] : [];
  });
}

/** URL path of a route file, with sample values for its dynamic segments. */
function sampleUrl(file: string): { pattern: string; url: string; params: Record<string, string | string[]> } {
  const segs = path.relative(path.join(appDir, "app"), path.dirname(file)).split(path.sep).filter((s) => !s.startsWith("("));
  const params: Record<string, string | string[]> = {};
  const url = segs.map((s) => {
    const catchAll = /^\[\.\.\.(.+)\]$/.exec(s);
    if (catchAll) return ((params[catchAll[1]] = ["x", "1", "2"]) as string[]).join("/");
    const dyn = /^\[(.+)\]$/.exec(s);
    if (dyn) return (params[dyn[1]] = dyn[1] === "v" ? "1" : dyn[1] === "id" ? "1" : "sample");
    return s;
  }).join("/");
  return { pattern: `/${segs.join("/")}`, url: `http://localhost/${url}`, params };
}

const routes = routeFiles(path.join(appDir, "app"));
let cookies: Record<Role, string>;
let handlers: Array<{ key: string; call: (headers: Record<string, string>) => Promise<Response> }> = [];

beforeAll(async () => {
  const { db, auth } = webContext();
  cookies = await signedInCookies({ db, auth, roles: [...ROLES] });
  handlers = [];
  for (const file of routes) {
    const mod = (await import(file)) as Record<string, unknown>;
    const { pattern, url, params } = sampleUrl(file);
    for (const m of METHODS) {
      const fn = mod[m] as ((req: Request, ctx: { params: Promise<unknown> }) => Promise<Response>) | undefined;
      if (!fn) continue;
      handlers.push({
        key: `${m} ${pattern}`,
        call: (headers) => fn(new Request(url, { method: m, headers: { origin: "http://localhost", host: "localhost", "content-type": "application/json", ...headers }, body: m === "GET" ? undefined : "{}" }), { params: Promise.resolve(params) }),
      });
    }
  }
});

describe("route / role matrix", () => {
  it("classifies every route handler in app/", () => {
    expect(handlers.length).toBeGreaterThan(10);
    const unclassified = handlers.map((h) => h.key).filter((k) => !RULES[k]);
    expect(unclassified, "add these routes to RULES with who may call them").toEqual([]);
    const stale = Object.keys(RULES).filter((k) => !handlers.some((h) => h.key === k));
    expect(stale, "these RULES name routes that no longer exist").toEqual([]);
  });

  it("answers 401 to anonymous callers of session routes, and refuses anonymous callers of public routes without credentials", async () => {
    for (const h of handlers) {
      const rule = RULES[h.key];
      const res = await h.call({});
      if (rule.auth === "session") expect(res.status, `${h.key} anonymous`).toBe(401);
      else expect(rule.anonymous, `${h.key} anonymous got ${res.status}`).toContain(res.status);
    }
  });

  it("answers 403 to a role without the permission and lets a role with it through", async () => {
    for (const h of handlers) {
      const rule = RULES[h.key];
      if (rule.auth !== "session") continue;
      for (const role of ROLES) {
        const res = await h.call({ cookie: cookies[role] });
        if (can(role, rule.permission)) expect([401, 403], `${h.key} as ${role} (allowed) got ${res.status}`).not.toContain(res.status);
        else expect(res.status, `${h.key} as ${role} (not allowed)`).toBe(403);
      }
    }
  });

  it("refuses a change that does not come from this site (CSRF), even with a valid admin session", async () => {
    const changes = handlers.filter((h) => RULES[h.key].auth === "session" && !h.key.startsWith("GET "));
    expect(changes.length).toBeGreaterThan(5);
    for (const h of changes) {
      const res = await h.call({ cookie: cookies.admin, origin: "https://evil.example" });
      expect(res.status, `${h.key} cross-site`).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cross-site/);
    }
  });
});

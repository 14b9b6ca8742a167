import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/server/logger";
import { signedInCookies } from "@/server/testing/sessions";
import { testEnv } from "@/server/testing/test-env";

/**
 * A planted secret must never come back: not in API answers after the one
 * that creates it, not in the audit log, not in the database in clear, not in
 * anything the process writes to stdout/stderr (its logs).
 */
Object.assign(process.env, testEnv(), { LOG_LEVEL: "debug" });
const { webContext } = await import("@/app/_lib/context");
const apiUsers = await import("@/app/api/admin/api-users/route");
const rotate = await import("@/app/api/admin/api-users/[id]/rotate/route");
const auditRoute = await import("@/app/api/admin/audit/route");

let admin: string;
const output: string[] = [];
const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  ({ admin } = await signedInCookies({ db: webContext().db, auth: webContext().auth, roles: ["admin"] }));
  const capture = (orig: typeof process.stdout.write) => ((chunk: unknown, ...rest: unknown[]) => {
    output.push(String(chunk));
    return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stdout.write = capture(writes.out);
  process.stderr.write = capture(writes.err);
});
afterAll(() => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
});

const headers = () => ({ cookie: admin, origin: "http://localhost", host: "localhost", "content-type": "application/json" });
const noParams = { params: Promise.resolve({}) };

describe("secrets never leak", () => {
  it("an API user's secret is answered once, then appears nowhere", async () => {
    const created = await apiUsers.POST(new Request("http://localhost/api/admin/api-users", { method: "POST", headers: headers(), body: JSON.stringify({ name: "leak check", grants: [] }) }), noParams);
    expect(created.status).toBe(201);
    const { apiUser, secret } = (await created.json()) as { apiUser: { id: string }; secret: string };
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const rotated = await rotate.POST(new Request(`http://localhost/api/admin/api-users/${apiUser.id}/rotate`, { method: "POST", headers: headers() }), { params: Promise.resolve({ id: apiUser.id }) });
    const secret2 = ((await rotated.json()) as { secret: string }).secret;
    expect(secret2).not.toBe(secret);

    webContext().log.info({ apiUser: { id: apiUser.id, secret: secret2 }, headers: { authorization: `Bearer ${secret2}` } }, "careless log line");
    const list = await (await apiUsers.GET(new Request("http://localhost/api/admin/api-users", { headers: headers() }), noParams)).text();
    const audit = await (await auditRoute.GET(new Request("http://localhost/api/admin/audit?limit=500", { headers: headers() }), noParams)).text();
    const row = await webContext().db.apiUser.findUniqueOrThrow({ where: { id: apiUser.id } });
    for (const s of [secret, secret2]) {
      expect(list).not.toContain(s);
      expect(audit).not.toContain(s);
      expect(row.secretEnc).not.toContain(s);
      expect(output.join("")).not.toContain(s);
    }
    expect(list).toContain(apiUser.id);
    expect(audit).toContain("api_user.secret_rotated");
  });

  it("the logger redacts credential-looking fields wherever they sit", () => {
    const lines: string[] = [];
    const log = createLogger({ name: "t", level: "info" });
    const orig = process.stdout.write;
    process.stdout.write = ((c: unknown) => (lines.push(String(c)), true)) as typeof process.stdout.write;
    try {
      log.info({ password: "p1-planted", token: "t1-planted", channel: { secret: "s1-planted", webhookUrl: "https://hooks.example/planted" }, headers: { authorization: "Basic planted", cookie: "sid=planted" } }, "x");
      log.flush?.();
    } finally {
      process.stdout.write = orig;
    }
    const text = lines.join("");
    expect(text).toContain("[redacted]");
    expect(text).not.toMatch(/planted/);
  });
});

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
const channelsRoute = await import("@/app/api/channels/route");
const channelRoute = await import("@/app/api/channels/[id]/route");
const alertRoute = await import("@/app/api/alerts/[id]/route");
const exportRoute = await import("@/app/api/processes/[id]/export/route");
const { createProcess } = await import("@/server/processes/process-service");
const { claimAlerts, createTestAlert, recordAttempts } = await import("@/server/alerts/alert-store");
const { deliverAlert } = await import("@/server/alerts/deliver-alert");
const { resolveChannel } = await import("@/server/alerts/channel-service");
const { createAlertHttp } = await import("@/server/alerts/alert-http");
const { startHttpReceiver } = await import("@/server/alerts/testing/receivers");

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

  it("channel secrets (webhook URLs, tokens, SMTP password, signing secret, header values) never come back", async () => {
    const planted = {
      slack: "https://hooks.slack.com/services/T0/B0/slack-planted-0001",
      bot: "123456:telegram-planted-ABCDEFGHIJKL",
      smtp: "smtp-planted-password-0003",
      signing: "signing-planted-secret-0004",
      header: "header-planted-value-0005",
      hookUrl: "http://127.0.0.1:9/hook?token=url-planted-0006",
      hookToken: "url-planted-0006",
      slackToken: "slack-planted-0001",
    };
    const create = async (body: unknown) => {
      const res = await channelsRoute.POST(new Request("http://localhost/api/channels", { method: "POST", headers: headers(), body: JSON.stringify(body) }), noParams);
      const text = await res.text();
      expect(res.status, text).toBe(201);
      return { text, channel: (JSON.parse(text) as { channel: { id: string; name: string } }).channel };
    };
    const answers: string[] = [];
    const a = await create({ name: "leak-slack", type: "slack", secrets: { webhookUrl: planted.slack } });
    const b = await create({ name: "leak-telegram", type: "telegram", settings: { chatId: "-100123" }, secrets: { botToken: planted.bot } });
    const c = await create({ name: "leak-mail", type: "email", settings: { host: "smtp.example.com", from: "a@example.com", to: ["b@example.com"], username: "u" }, secrets: { password: planted.smtp } });
    const d = await create({ name: "leak-hook", type: "webhook", secrets: { url: planted.hookUrl, signingSecret: planted.signing, headers: { "X-Api-Key": planted.header } } });
    answers.push(a.text, b.text, c.text, d.text);
    // A change that does not touch the secrets keeps them; its answer shows them masked too.
    const patched = await channelRoute.PATCH(new Request(`http://localhost/api/channels/${d.channel.id}`, { method: "PATCH", headers: headers(), body: JSON.stringify({ name: "leak-hook-2", secrets: { signingSecret: "" } }) }), { params: Promise.resolve({ id: d.channel.id }) });
    answers.push(await patched.text());
    answers.push(await (await channelsRoute.GET(new Request("http://localhost/api/channels", { headers: headers() }), noParams)).text());
    answers.push(await (await auditRoute.GET(new Request("http://localhost/api/admin/audit?limit=500", { headers: headers() }), noParams)).text());

    // A process that notifies the channel: its export names the channel, nothing more.
    const proc = await createProcess({ db: webContext().db, title: "leak export", scheme: { nodes: [{ id: "n", obj_type: 0, title: "n", description: "", x: 0, y: 0, extra: "{}", condition: { logics: [{ type: "notify", channel: "leak-slack", message: "m" }], semaphors: [] } }] } as never });
    const exported = await (await exportRoute.GET(new Request(`http://localhost/api/processes/${proc.id}/export`, { headers: headers() }), { params: Promise.resolve({ id: String(proc.id) }) })).text();
    expect(exported).toContain("leak-slack");
    answers.push(exported);

    // A receiver that refuses the alert and echoes the request back (headers, URL, body): the stored error must not hold the secrets.
    const echo = await startHttpReceiver((req) => ({ status: 400, body: JSON.stringify({ message: `${req.path} ${JSON.stringify(req.headers)}` }) }));
    const { db, box, pool } = webContext();
    const row = await db.channel.findUniqueOrThrow({ where: { id: d.channel.id } });
    const stored = JSON.parse(box.open(row.secretEnc)) as Record<string, unknown>;
    await db.channel.update({ where: { id: d.channel.id }, data: { secretEnc: box.seal(JSON.stringify({ ...stored, url: `${echo.url}/hook?token=url-planted-0006` })) } });
    const ref = await createTestAlert(pool, { channelId: d.channel.id, channelName: "leak-hook-2", title: "t", message: "m", severity: "info", fields: {} });
    const http = createAlertHttp({ policy: { allowPrivate: true } });
    const step = await deliverAlert({ alertId: ref.alertId }, {
      box, http, mail: async () => ({}), policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 2000 }, appUrl: "http://localhost",
      claim: async (id) => (await claimAlerts(pool, [id], 5000))[0], record: async (r) => (await recordAttempts(pool, [r]))[0], gate: async () => ({ waitMs: 0 }), cooldown: async () => {},
    });
    await http.close();
    await echo.close();
    expect(step.kind).toBe("dead");
    expect(echo.requests[0].headers["x-api-key"]).toBe(planted.header); // it did echo them
    const alertText = await (await alertRoute.GET(new Request(`http://localhost/api/alerts/${ref.alertId}`, { headers: headers() }), { params: Promise.resolve({ id: String(ref.alertId) }) })).text();
    expect(alertText).toContain("refused the alert (HTTP 400)");
    expect(alertText).toContain("[redacted]");
    answers.push(alertText);

    // A careless log line with a decrypted channel.
    const resolved = resolveChannel({ id: d.channel.id, name: "x", type: "webhook", settings: {}, secret_enc: box.seal(JSON.stringify({ url: planted.hookUrl, signingSecret: planted.signing, headers: { "X-Api-Key": planted.header } })) }, box);
    webContext().log.info({ channel: resolved, ch: { secrets: resolved.secrets } }, "careless channel log line");

    const rows = await db.channel.findMany({ where: { name: { startsWith: "leak-" } } });
    expect(rows).toHaveLength(4);
    for (const value of Object.values(planted)) {
      for (const text of answers) expect(text).not.toContain(value);
      for (const r of rows) expect(r.secretEnc + JSON.stringify(r.settings)).not.toContain(value);
      expect(output.join("")).not.toContain(value);
    }
    // Masked, not absent: admins see which service and the last characters.
    expect(answers[5]).toContain("https://hooks.slack.com/••••0001");
    expect(answers.join("")).toContain("channel.updated");
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

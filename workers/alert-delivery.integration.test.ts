import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { createChannel } from "../server/alerts/channel-service.ts";
import type { ChannelType } from "../server/alerts/channel-types.ts";
import { decodeHeader, parseMail, startHttpReceiver, startSmtpReceiver, type HttpReceiver } from "../server/alerts/testing/receivers.ts";
import { insertNotifications } from "../server/alerts/alert-store.ts";
import { createSecretBox } from "../server/crypto/secret-box.ts";
import { ProcessCatalog } from "../server/execution/catalog.ts";
import { createExecutor } from "../server/execution/executor.ts";
import { createLogger } from "../server/logger.ts";
import { createTasks } from "../server/tasks/create-tasks.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { createAlertQueue } from "./alert-queue.ts";
import { createDispatcher } from "./dispatcher.ts";
import { jobIdOf } from "./queues.ts";

/**
 * Alerts from a notify block to real local receivers, through the real worker
 * (BullMQ on the test Redis, the test PostgreSQL): each channel type's exact
 * request or mail, retries, dead-letter, Retry-After, rate limits, and an
 * alert whose job was lost after its step's commit, which must be sent once.
 *
 *   Start ─▶ alert (notify {{channel}}) ─▶ done
 *               └─(error)─▶ failed
 */
let h: Harness;
let box: ReturnType<typeof createSecretBox>;
let pid: number;
const receivers: HttpReceiver[] = [];
const APP = "http://127.0.0.1:3000";

const TASK = { eventName: "StopLogging", user: "alice", ip: "203.0.113.7", account: "218007301253", region: "us-east-1", note: "a < b & \"c\"" };

beforeAll(async () => {
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true", ALERT_RETRY_BASE_MS: "100", ALERT_RETRY_MAX_MS: "400", ALERT_MAX_ATTEMPTS: "4", ALERT_TIMEOUT_MS: "2000" } });
  box = createSecretBox(h.config.ENCRYPTION_KEY);
  pid = await h.publish(buildScheme(
    startNode("s", "alert"),
    logicNode("alert", [{
      type: "notify", channel: "{{channel}}", severity: "high", title: "{{eventName}} by {{user}}", message: "{{user}} called {{eventName}} from {{ip}}",
      fields: { Account: "{{account}}", Region: "{{region}}", Note: "{{note}}" }, err_node_id: "failed",
    }, go("done")]),
    finalNode("done"), finalNode("failed", "error"),
  ), { title: "alerting" });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await h?.close();
});

async function receiver(...args: Parameters<typeof startHttpReceiver>) {
  const r = await startHttpReceiver(...args);
  receivers.push(r);
  return r;
}

async function channel(name: string, type: ChannelType, settings: Record<string, unknown>, secrets: Record<string, unknown>, rate: { max: number; perSec: number } | null = null) {
  return (await createChannel({ db: h.db, box, input: { name, type, settings, secrets, rate } })).channel;
}

async function alertSettled(taskId: string, timeoutMs = 20_000) {
  return h.waitFor(`alert of ${taskId} sent or failed`, () => h.db.alert.findFirst({ where: { taskId } }), (a) => a?.status === "sent" || a?.status === "failed", timeoutMs).then((a) => a!);
}

const attemptsOf = (alertId: bigint) => h.db.alertAttempt.findMany({ where: { alertId }, orderBy: { id: "asc" } });
const taskLink = (taskId: string) => `${APP}/processes/${pid}?view=live&task=${taskId}`;

describe("channels: the exact request or mail each receiver gets", () => {
  it("Slack: a Block Kit message with title, message, fields and a button to the task", async () => {
    const slack = await receiver(() => ({ status: 200, body: "ok" }));
    await channel("slack-ops", "slack", {}, { webhookUrl: `${slack.url}/services/T000/B000/planted-slack-token` });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "slack-ops" } }]);
    const [req] = await slack.waitForRequests(1);
    const alert = await alertSettled(taskId);

    expect(req.method).toBe("POST");
    expect(req.path).toBe("/services/T000/B000/planted-slack-token");
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(req.body)).toEqual({
      text: "[HIGH] StopLogging by alice — alice called StopLogging from 203.0.113.7",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "🟠 StopLogging by alice", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "alice called StopLogging from 203.0.113.7" } },
        { type: "section", fields: [
          { type: "mrkdwn", text: "*Severity*\nhigh" },
          { type: "mrkdwn", text: "*Account*\n218007301253" },
          { type: "mrkdwn", text: "*Note*\na &lt; b &amp; \"c\"" },
          { type: "mrkdwn", text: "*Region*\nus-east-1" },
        ] },
        { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open task" }, url: taskLink(taskId), action_id: "open_task" }] },
        { type: "context", elements: [{ type: "mrkdwn", text: `Conveyor · process #${pid} · node alert · ${alert.notifiedAt.toISOString()}` }] },
      ],
    });
    expect(alert).toMatchObject({ status: "sent", attempts: 1, channelName: "slack-ops", severity: "high", title: "StopLogging by alice", processId: pid, nodeId: "alert" });
    expect(alert.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await h.task(taskId)).nodeId).toBe("done");
  });

  it("Teams: an Adaptive Card with the facts and an Open task action", async () => {
    const teams = await receiver(() => ({ status: 202, body: "" }));
    await channel("teams-ops", "teams", {}, { webhookUrl: `${teams.url}/webhookb2/planted-teams` });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "teams-ops" } }]);
    const [req] = await teams.waitForRequests(1);
    const alert = await alertSettled(taskId);
    expect(req.path).toBe("/webhookb2/planted-teams");
    expect(JSON.parse(req.body)).toEqual({
      type: "message",
      attachments: [{
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: "StopLogging by alice", weight: "Bolder", size: "Medium", wrap: true, color: "Attention" },
            { type: "TextBlock", text: "alice called StopLogging from 203.0.113.7", wrap: true },
            { type: "FactSet", facts: [
              { title: "Severity", value: "high" }, { title: "Account", value: "218007301253" }, { title: "Note", value: "a < b & \"c\"" }, { title: "Region", value: "us-east-1" },
            ] },
            { type: "TextBlock", text: `Conveyor · process #${pid} · node alert · ${alert.notifiedAt.toISOString()}`, isSubtle: true, size: "Small", wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open task", url: taskLink(taskId) }],
        },
      }],
    });
    expect(alert.status).toBe("sent");
  });

  it("Telegram: sendMessage to the chat with HTML text, through the configured API base URL", async () => {
    const tg = await receiver(() => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, result: { message_id: 7 } }) }));
    await channel("tg-ops", "telegram", { baseUrl: tg.url, chatId: "-1001234567890" }, { botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_planted" });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "tg-ops" } }]);
    const [req] = await tg.waitForRequests(1);
    await alertSettled(taskId);
    expect(req.path).toBe("/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_planted/sendMessage");
    expect(JSON.parse(req.body)).toEqual({
      chat_id: "-1001234567890",
      parse_mode: "HTML",
      disable_web_page_preview: true,
      text: [
        "🟠 <b>StopLogging by alice</b>",
        "",
        "alice called StopLogging from 203.0.113.7",
        "",
        "<b>Severity:</b> high",
        "<b>Account:</b> 218007301253",
        "<b>Note:</b> a &lt; b &amp; &quot;c&quot;",
        "<b>Region:</b> us-east-1",
        "",
        `<a href="${taskLink(taskId).replace(/&/g, "&amp;")}">Open task</a>`,
      ].join("\n"),
    });
  });

  it("SMS: a Twilio Messages.json form post with Basic auth", async () => {
    const twilio = await receiver(() => ({ status: 201, headers: { "content-type": "application/json" }, body: JSON.stringify({ sid: "SM1", status: "queued" }) }));
    await channel("sms-oncall", "sms", { baseUrl: twilio.url, accountSid: "AC0123456789abcdef", from: "+15550001111", to: "+15552223333" }, { authToken: "planted-twilio-token" });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "sms-oncall" } }]);
    const [req] = await twilio.waitForRequests(1);
    await alertSettled(taskId);
    expect(req.path).toBe("/2010-04-01/Accounts/AC0123456789abcdef/Messages.json");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from("AC0123456789abcdef:planted-twilio-token").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      To: "+15552223333",
      From: "+15550001111",
      Body: `[HIGH] StopLogging by alice\nalice called StopLogging from 203.0.113.7\n${taskLink(taskId)}`,
    });
  });

  it("webhook: the JSON alert, custom headers, and an HMAC-SHA256 signature over timestamp + body that verifies", async () => {
    const hook = await receiver(() => ({ status: 204 }));
    const secret = "whsec-planted-0123456789abcdef";
    await channel("hook-siem", "webhook", {}, { url: `${hook.url}/ingest?token=planted-query`, signingSecret: secret, headers: { "X-Api-Key": "planted-header-key" } });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "hook-siem" } }]);
    const [req] = await hook.waitForRequests(1);
    const alert = await alertSettled(taskId);

    expect(req.path).toBe("/ingest?token=planted-query");
    expect(req.headers["x-api-key"]).toBe("planted-header-key");
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req.headers["x-conveyor-delivery"]).toBe(alert.dedupKey);
    expect(req.headers["idempotency-key"]).toBe(alert.dedupKey);
    const ts = String(req.headers["x-conveyor-timestamp"]);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(10);
    const expected = createHmac("sha256", secret).update(`${ts}.${req.body}`).digest("hex");
    expect(req.headers["x-conveyor-signature"]).toBe(`sha256=${expected}`);
    expect(JSON.parse(req.body)).toEqual({
      id: alert.dedupKey, type: "alert", channel: "hook-siem", severity: "high", title: "StopLogging by alice", message: "alice called StopLogging from 203.0.113.7",
      fields: { Account: "218007301253", Note: "a < b & \"c\"", Region: "us-east-1" },
      process: { id: pid }, task: { id: taskId, url: taskLink(taskId) }, node: { id: "alert" }, notifiedAt: alert.notifiedAt.toISOString(),
    });
    expect(alert.dedupKey).toContain(taskId);
  });

  it("e-mail: a real SMTP server gets the mail with login, subject, text and HTML parts", async () => {
    const smtp = await startSmtpReceiver({ login: { user: "alerts", password: "planted-smtp-password" } });
    try {
      await channel("mail-sec", "email", { host: smtp.host, port: smtp.port, security: "none", username: "alerts", from: "conveyor@example.com", to: ["oncall@example.com", "sec@example.com"] }, { password: "planted-smtp-password" });
      const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "mail-sec" } }]);
      const [mail] = await smtp.waitForMails(1);
      const alert = await alertSettled(taskId);
      expect(alert.status).toBe("sent");
      expect(mail.user).toBe("alerts");
      expect(mail.from).toBe("conveyor@example.com");
      expect(mail.to).toEqual(["oncall@example.com", "sec@example.com"]);
      const parsed = parseMail(mail.raw);
      expect(decodeHeader(parsed.headers.subject)).toBe("[HIGH] StopLogging by alice");
      expect(parsed.headers["x-conveyor-alert"]).toBe(alert.dedupKey);
      expect(parsed.headers["message-id"]).toMatch(/^<[0-9a-f]{40}\.alert@127\.0\.0\.1:3000>$/);
      expect(parsed.text).toBe([
        "StopLogging by alice", "", "alice called StopLogging from 203.0.113.7", "",
        "Severity: high", "Account: 218007301253", "Note: a < b & \"c\"", "Region: us-east-1", "",
        `Open the task: ${taskLink(taskId)}`, "",
        `Conveyor · process #${pid} · node alert · ${alert.notifiedAt.toISOString()}`,
      ].join("\n"));
      expect(parsed.html).toContain("<h2 style=\"margin:0 0 12px\">🟠 StopLogging by alice</h2>");
      expect(parsed.html).toContain("<th style=\"text-align:left;padding:2px 12px 2px 0\">Note</th><td style=\"padding:2px 0\">a &lt; b &amp; &quot;c&quot;</td>");
      expect(parsed.html).toContain(`<a href="${taskLink(taskId).replace(/&/g, "&amp;")}">Open the task</a>`);
    } finally {
      await smtp.close();
    }
  });

  it("e-mail over STARTTLS (the default) never sends the password in clear to a server that does not offer TLS", async () => {
    const smtp = await startSmtpReceiver({ login: { user: "alerts", password: "planted-smtp-password" } });
    try {
      await channel("mail-starttls", "email", { host: smtp.host, port: smtp.port, security: "starttls", username: "alerts", from: "conveyor@example.com", to: ["oncall@example.com"] }, { password: "planted-smtp-password" });
      const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "mail-starttls" } }]);
      const alert = await alertSettled(taskId);
      expect(alert.status).toBe("failed");
      expect(alert.lastError).toMatch(/STARTTLS|TLS/i);
      expect(alert.lastError).not.toContain("planted-smtp-password");
      expect(smtp.authAttempts).toBe(0);
      expect(smtp.mails).toEqual([]);
    } finally {
      await smtp.close();
    }
  });

  it("a notify naming a channel that does not exist takes the block's error exit", async () => {
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "no-such-channel" } }]);
    const t = await h.waitFor("task finished", () => h.task(taskId), (x) => x.status === "finished");
    expect(t.nodeId).toBe("failed");
    expect(t.data.__conveyor_notify_return_type_tag__).toBe("notify_unknown_channel");
    expect(await h.db.alert.count({ where: { taskId } })).toBe(0);
  });
});

describe("retries, dead-letter, Retry-After, rate limits, no duplicates", () => {
  it("a receiver answering 500 twice and then 200 gets the alert once; the log shows 3 attempts", async () => {
    const hook = await receiver((_r, i) => (i < 2 ? { status: 500, body: "upstream down" } : { status: 200, body: "ok" }));
    await channel("flaky", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "flaky" } }]);
    const alert = await alertSettled(taskId);
    await new Promise((r) => setTimeout(r, 1000)); // nothing more may arrive
    expect(hook.requests.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(hook.requests.map((r) => r.headers["x-conveyor-delivery"])).size).toBe(1);
    expect(alert).toMatchObject({ status: "sent", attempts: 3 });
    expect(alert.lastError).toContain("HTTP 500");
    const attempts = await attemptsOf(alert.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([[1, "error", 500], [2, "error", 500], [3, "sent", 200]]);
    expect(attempts[0].error).toBe("the webhook failed (HTTP 500): upstream down");
    // Backoff: each retry waited at least half its exponential delay (100 ms, then 200 ms).
    expect(hook.requests[1].at - hook.requests[0].at).toBeGreaterThanOrEqual(50);
    expect(hook.requests[2].at - hook.requests[1].at).toBeGreaterThanOrEqual(100);
  });

  it("a receiver that always fails: dead-letter after the last attempt, the error visible, the job in BullMQ's failed set", async () => {
    const hook = await receiver(() => ({ status: 503, body: "maintenance" }));
    await channel("down", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "down" } }]);
    const alert = await alertSettled(taskId);
    expect(alert.status).toBe("failed");
    expect(alert.attempts).toBe(4);
    expect(alert.lastError).toBe("the webhook failed (HTTP 503): maintenance (gave up after 4 attempts)");
    expect(hook.requests).toHaveLength(4);
    const q = createAlertQueue({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX });
    try {
      const job = await q.queue.getJob(jobIdOf(alert.jobId));
      expect(await job?.getState()).toBe("failed");
      expect(job?.failedReason).toBe(alert.lastError);
    } finally {
      await q.close();
    }
  });

  it("a 4xx that retrying cannot fix is dead-lettered at once, naming who must act", async () => {
    const slack = await receiver(() => ({ status: 404, body: "no_service" }));
    await channel("revoked", "slack", {}, { webhookUrl: `${slack.url}/services/x` });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "revoked" } }]);
    const alert = await alertSettled(taskId);
    expect(alert).toMatchObject({ status: "failed", attempts: 1 });
    expect(alert.lastError).toBe("Slack refused the alert (HTTP 404): no_service; the channel's configuration (URL, token, chat, numbers) is refused; an admin must fix it, then resend");
    // Dead-lettered on its first attempt (in the step's batch job): its own job is in BullMQ's failed set all the same.
    const q = createAlertQueue({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX });
    try {
      const job = await h.waitFor("the dead letter's job", () => q.queue.getJob(jobIdOf(alert.jobId)), (j) => j?.failedReason !== undefined);
      expect(await job!.getState()).toBe("failed");
      expect(job!.failedReason).toBe(alert.lastError);
    } finally {
      await q.close();
    }
  });

  it("a channel pointing at cloud metadata is refused by the SSRF guard and dead-lettered at once", async () => {
    await channel("metadata", "webhook", {}, { url: "http://169.254.169.254/latest/meta-data/", signingSecret: "s".repeat(32) });
    const [taskId] = await h.submit(pid, [{ data: { ...TASK, channel: "metadata" } }]);
    const alert = await alertSettled(taskId);
    expect(alert).toMatchObject({ status: "failed", attempts: 1 });
    expect(alert.lastError).toMatch(/^could not reach the webhook: .*169\.254\.169\.254.*always blocked; an admin must point the channel elsewhere$/);
  });

  it("429 with Retry-After: the retry waits as long as asked, and so does the channel's next alert", async () => {
    const hook = await receiver((_r, i) => (i === 0 ? { status: 429, headers: { "retry-after": "1" }, body: "slow down" } : { status: 200 }));
    await channel("limited", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    const [first] = await h.submit(pid, [{ data: { ...TASK, channel: "limited", n: 1 } }]);
    await hook.waitForRequests(1);
    const [second] = await h.submit(pid, [{ data: { ...TASK, channel: "limited", n: 2 } }]);
    await alertSettled(first);
    await alertSettled(second);
    expect(hook.requests).toHaveLength(3);
    const t0 = hook.requests[0].at;
    expect(hook.requests[1].at - t0).toBeGreaterThanOrEqual(950);
    expect(hook.requests[2].at - t0).toBeGreaterThanOrEqual(950);
    const a = await h.db.alert.findFirstOrThrow({ where: { taskId: first } });
    expect(a.attempts).toBe(2);
    expect((await attemptsOf(a.id))[0]).toMatchObject({ outcome: "error", httpStatus: 429 });
    expect((await h.db.alert.findFirstOrThrow({ where: { taskId: second } })).attempts).toBe(1); // waiting is not an attempt
  });

  it("a channel's rate limit spreads its alerts: at most 2 per second", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    await channel("paced", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) }, { max: 2, perSec: 1 });
    const ids = await h.submit(pid, Array.from({ length: 6 }, (_, n) => ({ data: { ...TASK, channel: "paced", n } })));
    await hook.waitForRequests(6, 20_000);
    for (const id of ids) expect((await alertSettled(id)).attempts).toBe(1);
    // The gate admits at most 2 in any second (server/alerts/channel-gate.integration.test.ts holds it to that exactly);
    // the receiver sees each a claim statement and a request later, which may differ between deliveries by some ms.
    const at = hook.requests.map((r) => r.at).sort((a, b) => a - b);
    const SLACK_MS = 250;
    for (let i = 0; i + 2 < at.length; i++) expect(at[i + 2] - at[i], `requests ${i}..${i + 2}`).toBeGreaterThanOrEqual(1000 - SLACK_MS);
    expect(at[5] - at[0]).toBeGreaterThanOrEqual(2000 - SLACK_MS);
  });

  it("an alert committed with its step whose job was never enqueued (the worker died in between) is sent once by the sweep; replays send nothing twice", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    await channel("once", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    // Tasks stepped by an executor whose enqueue of alert jobs fails after the commit, as a worker killed right then.
    const { created } = await createTasks({ pool: h.pool, processId: pid, tasks: Array.from({ length: 5 }, (_, n) => ({ data: { ...TASK, channel: "once", n } })), taskSizeLimit: 1_048_576 });
    const ids = created.map((c) => c.id);
    const real = createDispatcher({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX, pool: h.pool });
    const lost: unknown[] = [];
    const dying = { ...real, enqueueAlerts: async (refs: unknown[]) => { lost.push(...refs); throw new Error("worker died"); } };
    const executor = createExecutor({ pool: h.pool, redis: h.redis, prefix: h.config.QUEUE_PREFIX, catalog: new ProcessCatalog(h.pool, 0), dispatcher: dying, options: {}, log: createLogger({ name: "t", level: "silent" }) });
    const res = await executor.run(ids.map((taskId) => ({ taskId, event: { type: "enter" } })));
    expect(ids.map((id) => res.outcomes.get(id)?.outcome)).toEqual(Array(5).fill("moved"));
    expect(lost).toHaveLength(5);
    const jobs = await h.db.alert.findMany({ where: { taskId: { in: ids } } });
    expect(jobs.map((a) => a.status)).toEqual(Array(5).fill("queued"));
    const alertQueue = createAlertQueue({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX });
    expect(await Promise.all(jobs.map((a) => alertQueue.queue.getJob(jobIdOf(a.jobId))))).toEqual(Array(5).fill(undefined));

    // The worker's sweep finds the queued alerts without a job and sends each once.
    for (const id of ids) await alertSettled(id);
    expect(hook.requests).toHaveLength(5);
    // Replays: the same notify commands written again make no alert; the same jobs once more send nothing.
    const replayed = await insertNotifications(h.pool, jobs.map((a) => ({ type: "notify", key: `notify:${a.dedupKey}`, taskId: a.taskId!, processId: String(a.processId), nodeId: a.nodeId!, visit: 1, channel: "once", title: a.title, message: a.message, severity: "high", fields: {}, dedupKey: a.dedupKey })), new Date());
    expect(replayed).toEqual([]);
    await alertQueue.add(jobs.map((a) => ({ alertId: Number(a.id), jobKey: a.jobId })));
    await alertQueue.close();
    await real.close();
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.requests).toHaveLength(5);
    const after = await h.db.alert.findMany({ where: { taskId: { in: ids } } });
    expect(after).toHaveLength(5);
    expect(after.every((a) => a.attempts === 1 && a.status === "sent")).toBe(true);
  });

  it("a notify's dedup_key replaces task + node + visit: tasks rendering the same key alert once", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    await channel("keyed", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    const keyed = await h.publish(buildScheme(
      startNode("s", "alert"),
      logicNode("alert", [{ type: "notify", channel: "keyed", title: "{{eventName}}", message: "{{eventID}} by {{user}}", dedup_key: "{{eventID}}", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "alerting: dedup key" });
    // The same CloudTrail event twice (say, from two trails), and another one.
    const ids = await h.submit(keyed, [
      { data: { eventName: "StopLogging", eventID: "evt-1", user: "alice" } },
      { data: { eventName: "StopLogging", eventID: "evt-1", user: "alice" } },
      { data: { eventName: "StopLogging", eventID: "evt-2", user: "bob" } },
    ]);
    await h.waitFor("tasks done", () => h.db.task.count({ where: { id: { in: ids }, status: "finished", nodeId: "done" } }), (n) => n === 3);
    await h.waitFor("two alerts sent", () => h.db.alert.count({ where: { channelName: "keyed", status: "sent" } }), (n) => n === 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.requests.map((r) => (JSON.parse(r.body) as { message: string }).message).sort()).toEqual(["evt-1 by alice", "evt-2 by bob"]);
    expect(await h.db.alert.count({ where: { channelName: "keyed" } })).toBe(2);
  });

  it("Redis loses the queued alerts: the sweep enqueues them again from PostgreSQL and each arrives once", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    await channel("after-flush", "webhook", {}, { url: `${hook.url}/h`, signingSecret: "s".repeat(32) });
    await h.worker!.stop();
    h.worker = null;
    // Step the tasks here (no worker running): their alerts are recorded and their jobs exist only in Redis…
    const ids = await h.submit(pid, Array.from({ length: 3 }, (_, n) => ({ data: { ...TASK, channel: "after-flush", n } })));
    await h.executor.run(ids.map((taskId) => ({ taskId, event: { type: "enter" as const } })));
    expect(await h.db.alert.count({ where: { taskId: { in: ids }, status: "queued" } })).toBe(3);
    // …which then loses everything.
    await h.redis.flushdb();
    await h.startWorker();
    for (const id of ids) expect((await alertSettled(id)).status).toBe("sent");
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.headers["x-conveyor-delivery"])).size).toBe(3);
  });
});

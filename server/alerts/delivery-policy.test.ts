import { describe, expect, it } from "vitest";
import { maskSecrets } from "./channel-service.ts";
import { SECRETS_SCHEMAS, SETTINGS_SCHEMAS } from "./channel-types.ts";
import { backoffDelay } from "./deliver-alert.ts";
import { slackPayload, smsBody, type AlertContent } from "./formats.ts";
import { classifyAnswer, classifyMailError, parseRetryAfter, scrub, secretValues } from "./senders.ts";

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

describe("retry policy", () => {
  it("backs off exponentially from the base, with equal jitter, up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(30, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(30_000);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-27T10:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 27 Nov 2026 10:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("retries 429, 408, 425 and 5xx; a 2xx is sent; other 4xx and redirects are final", () => {
    const a = (status: number, body = "", headers: Record<string, string> = {}) => classifyAnswer("webhook", { status, headers, body }, 0);
    expect(a(200)).toEqual({ ok: true, httpStatus: 200 });
    expect(a(204).ok).toBe(true);
    expect(a(429, "", { "retry-after": "7" })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    for (const s of [408, 425, 500, 502, 503]) expect(a(s)).toMatchObject({ ok: false, retryable: true });
    for (const s of [301, 400, 401, 403, 404, 410]) expect(a(s)).toMatchObject({ ok: false, retryable: false });
  });

  it("Telegram: a 2xx without ok:true is no delivery; its 429 carries retry_after in the body", () => {
    expect(classifyAnswer("telegram", { status: 200, headers: {}, body: '{"ok":true}' }, 0).ok).toBe(true);
    expect(classifyAnswer("telegram", { status: 200, headers: {}, body: '{"ok":false,"description":"chat not found"}' }, 0)).toMatchObject({ ok: false, error: "Telegram did not confirm the message: chat not found" });
    expect(classifyAnswer("telegram", { status: 429, headers: {}, body: '{"ok":false,"error_code":429,"parameters":{"retry_after":12}}' }, 0)).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
  });

  it("SMTP: failed logins and 5xx replies are final, 4xx replies and connection trouble are retried", () => {
    expect(classifyMailError({ code: "EAUTH", message: "Invalid login" })).toMatchObject({ retryable: false });
    expect(classifyMailError({ responseCode: 550, message: "mailbox unavailable" })).toMatchObject({ retryable: false });
    expect(classifyMailError({ responseCode: 451, message: "try later" })).toMatchObject({ retryable: true });
    expect(classifyMailError({ code: "ECONNECTION", message: "connect ECONNREFUSED" })).toMatchObject({ retryable: true });
    expect(classifyMailError({ code: "EBLOCKED", message: "refused" })).toMatchObject({ retryable: false });
  });
});

describe("secrets stay out of what is stored and shown", () => {
  it("scrubs every secret of the channel (and the SMS Basic credential) from error texts", () => {
    const channel = { id: "c", name: "sms", type: "sms" as const, settings: { baseUrl: "https://api.twilio.com", accountSid: "AC123456789", from: "+1555", to: "+1556" }, secrets: { authToken: "tok-planted-123" } };
    const basic = Buffer.from("AC123456789:tok-planted-123").toString("base64");
    const text = scrub(`echo: Authorization: Basic ${basic}; token tok-planted-123`, secretValues(channel));
    expect(text).toBe("echo: Authorization: Basic [redacted]; token [redacted]");
  });

  it("masks secrets for display: URLs keep their origin, tokens their last 4 characters, headers their names", () => {
    expect(maskSecrets({ webhookUrl: "https://hooks.slack.com/services/T0/B0/abcdefgh1234", botToken: "123:ABCDEFG", headers: { "X-Api-Key": "key-9876" }, password: "" })).toEqual({
      webhookUrl: "https://hooks.slack.com/••••1234",
      botToken: "••••DEFG",
      headers: "X-Api-Key: ••••9876",
    });
  });
});

describe("channel settings", () => {
  it("defaults the base URLs to the real services and strips a trailing slash", () => {
    expect(SETTINGS_SCHEMAS.telegram.parse({ chatId: "-100123" }).baseUrl).toBe("https://api.telegram.org");
    expect(SETTINGS_SCHEMAS.sms.parse({ baseUrl: "http://127.0.0.1:9/", accountSid: "AC12345678", from: "+1", to: "+15551234567" }).baseUrl).toBe("http://127.0.0.1:9");
  });

  it("refuses what cannot work: a non-http URL, a bad token, a reserved webhook header", () => {
    expect(SECRETS_SCHEMAS.slack.safeParse({ webhookUrl: "file:///etc/passwd" }).success).toBe(false);
    expect(SECRETS_SCHEMAS.telegram.safeParse({ botToken: "nope" }).success).toBe(false);
    expect(SECRETS_SCHEMAS.webhook.safeParse({ url: "https://x.example", signingSecret: "s".repeat(16), headers: { "X-Conveyor-Signature": "forged" } }).success).toBe(false);
    expect(SETTINGS_SCHEMAS.email.safeParse({ host: "smtp.example.com", from: "a@example.com", to: [] }).success).toBe(false);
  });
});

describe("message formats", () => {
  const alert: AlertContent = {
    id: "t:n:1", test: false, channelName: "c", severity: "critical", title: "x".repeat(200), message: "m", processId: 1, taskId: "t", nodeId: "n", taskUrl: "http://app/processes/1?task=t", notifiedAt: "2026-11-27T00:00:00.000Z",
    fields: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${String(i).padStart(2, "0")}`, "v"])),
  };

  it("Slack: the header stays within 150 characters and fields go 10 per section (Block Kit's limits)", () => {
    const blocks = slackPayload(alert).blocks as Array<{ type: string; text?: { text: string }; fields?: unknown[] }>;
    expect(blocks[0].text!.text.length).toBeLessThanOrEqual(150);
    expect(blocks.filter((b) => b.fields).map((b) => b.fields!.length)).toEqual([10, 3]);
  });

  it("SMS: at most 1,600 characters", () => {
    expect(smsBody({ ...alert, message: "y".repeat(5000) }).length).toBe(1600);
  });
});

import type { ChannelType, ResolvedChannel } from "./channel-types.ts";
import { buildRequest, emailContent, type AlertContent, type MailContent, type OutboundRequest } from "./formats.ts";

/**
 * Sending one alert through one channel, with the outcome classified for the
 * retry policy. The transports are passed in (an SSRF-guarded HTTP client and
 * an SMTP sender), so the same code runs against real services and against
 * the local receivers of the tests.
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
/** Performs one request; throws on network errors and timeouts (the message names the cause). */
export type HttpSend = (req: OutboundRequest & { timeoutMs: number }) => Promise<HttpAnswer>;
export type MailSend = (channel: Extract<ResolvedChannel, { type: "email" }>, mail: MailContent, timeoutMs: number) => Promise<{ response?: string }>;

export type DeliveryResult =
  | { ok: true; httpStatus?: number }
  | {
      ok: false;
      /** false: retrying cannot help (the channel's configuration or the message is refused); dead-letter at once. */
      retryable: boolean;
      error: string;
      httpStatus?: number;
      /** The receiver asked us to wait (Retry-After, Telegram's retry_after). */
      retryAfterMs?: number;
    };

const SERVICE: Record<ChannelType, string> = { slack: "Slack", teams: "Teams", telegram: "Telegram", sms: "the SMS gateway", email: "the SMTP server", webhook: "the webhook" };

/** Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** Every secret value of a channel (and derived forms), to scrub from anything we store or show. */
export function secretValues(channel: ResolvedChannel): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string" && v.length >= 4) {
      out.push(v);
      // A secret URL's credential is its path or query: scrub those parts too (a receiver may echo its own path).
      if (/^https?:\/\//.test(v)) {
        try {
          const u = new URL(v);
          out.push(`${u.pathname}${u.search}`, ...u.pathname.split("/").filter((seg) => seg.length >= 8), ...[...u.searchParams.values()].filter((q) => q.length >= 4));
        } catch {
          // not a URL after all
        }
      }
    } else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(channel.secrets);
  if (channel.type === "sms") out.push(Buffer.from(`${channel.settings.accountSid}:${channel.secrets.authToken}`).toString("base64"));
  if (channel.type === "telegram") out.push(encodeURIComponent(channel.secrets.botToken));
  return out.sort((a, b) => b.length - a.length);
}

/** An error text that may quote the request (an echoing receiver, a URL in a network error) without its secrets. */
export function scrub(text: string, secrets: string[]): string {
  let s = text;
  for (const v of secrets) s = s.split(v).join("[redacted]");
  return s;
}

function answerDetail(body: string): string {
  const text = body.trim();
  if (!text) return "";
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const msg = j.description ?? j.message ?? j.error ?? j.detail;
    if (typeof msg === "string") return `: ${msg.slice(0, 300)}`;
  } catch {
    // plain text (Slack answers e.g. "no_service")
  }
  return `: ${text.slice(0, 300)}`;
}

const HINT_4XX = "the channel's configuration (URL, token, chat, numbers) is refused; an admin must fix it, then resend";

/** Classifies an HTTP answer: 2xx sent; 429, 408, 425 and 5xx retry (honouring Retry-After); any other 4xx is final. */
export function classifyAnswer(type: ChannelType, res: HttpAnswer, nowMs: number): DeliveryResult {
  if (res.status >= 200 && res.status < 300) {
    if (type === "telegram") {
      // The Bot API answers {ok:false, description} on errors; a 2xx without ok:true is not a delivery.
      try {
        if ((JSON.parse(res.body) as { ok?: boolean }).ok !== true) return { ok: false, retryable: false, httpStatus: res.status, error: `Telegram did not confirm the message${answerDetail(res.body)}` };
      } catch {
        return { ok: false, retryable: false, httpStatus: res.status, error: "Telegram answered something that is not the Bot API's JSON" };
      }
    }
    return { ok: true, httpStatus: res.status };
  }
  let retryAfterMs = parseRetryAfter(res.headers["retry-after"], nowMs);
  if (type === "telegram" && res.status === 429) {
    try {
      const after = (JSON.parse(res.body) as { parameters?: { retry_after?: number } }).parameters?.retry_after;
      if (typeof after === "number") retryAfterMs = after * 1000;
    } catch {
      // keep the header's value
    }
  }
  const detail = answerDetail(res.body);
  if (res.status === 429) return { ok: false, retryable: true, httpStatus: 429, retryAfterMs, error: `${SERVICE[type]} is rate limiting (HTTP 429)${detail}` };
  if (res.status === 408 || res.status === 425 || res.status >= 500) {
    return { ok: false, retryable: true, httpStatus: res.status, retryAfterMs, error: `${SERVICE[type]} failed (HTTP ${res.status})${detail}` };
  }
  return { ok: false, retryable: false, httpStatus: res.status, error: `${SERVICE[type]} refused the alert (HTTP ${res.status})${detail}; ${HINT_4XX}` };
}

/** SMTP: 4xx replies and connection trouble are transient; 5xx replies and failed logins are final. */
export function classifyMailError(err: unknown): DeliveryResult {
  const e = err as { message?: string; responseCode?: number; code?: string };
  const message = e.message ?? String(err);
  if (e.code === "EBLOCKED") return { ok: false, retryable: false, error: `${message}; an admin must point the channel elsewhere` };
  if (e.code === "EAUTH") return { ok: false, retryable: false, error: `the SMTP server refused the login: ${message}; an admin must fix the user name or password` };
  if (typeof e.responseCode === "number" && e.responseCode >= 500) return { ok: false, retryable: false, error: `the SMTP server refused the mail (${e.responseCode}): ${message}` };
  return { ok: false, retryable: true, error: `sending the mail failed: ${message}` };
}

/**
 * Sends one alert. Never throws for delivery problems: the result says
 * whether it arrived and, if not, whether retrying can help. Error texts are
 * scrubbed of the channel's secrets before they leave this function.
 */
export async function sendAlert({ channel, alert, http, mail, timeoutMs, appHost, nowMs = Date.now() }: {
  channel: ResolvedChannel;
  alert: AlertContent;
  http: HttpSend;
  mail: MailSend;
  timeoutMs: number;
  appHost: string;
  nowMs?: number;
}): Promise<DeliveryResult> {
  const secrets = secretValues(channel);
  const clean = (r: DeliveryResult): DeliveryResult => (r.ok ? r : { ...r, error: scrub(r.error, secrets) });
  if (channel.type === "email") {
    try {
      await mail(channel, emailContent(alert, channel.settings, appHost), timeoutMs);
      return { ok: true };
    } catch (err) {
      return clean(classifyMailError(err));
    }
  }
  let res: HttpAnswer;
  try {
    res = await http({ ...buildRequest(channel, alert, nowMs), timeoutMs });
  } catch (err) {
    // A destination the SSRF guard refuses stays refused: dead-letter at once.
    const blocked = (err as { code?: string }).code === "EBLOCKED";
    return clean({ ok: false, retryable: !blocked, error: `could not reach ${SERVICE[channel.type]}: ${(err as Error).message}${blocked ? "; an admin must point the channel elsewhere" : ""}` });
  }
  return clean(classifyAnswer(channel.type, res, Date.now()));
}

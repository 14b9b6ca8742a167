import { createHash } from "node:crypto";
import { ingestSignature } from "../ingest/source-auth.ts";
import type { ChannelType, ResolvedChannel } from "./channel-types.ts";

/**
 * What each service receives for an alert: pure functions from the alert to
 * the request (or mail), used by the senders, the "send test" button and the
 * template preview alike, so what an operator previews is what is sent.
 */
export interface AlertContent {
  /** The dedup key: the same for every attempt of one alert (receivers may deduplicate on it). */
  id: string;
  test: boolean;
  channelName: string;
  severity: string;
  title: string;
  message: string;
  fields: Record<string, string>;
  processId: number | null;
  taskId: string | null;
  nodeId: string | null;
  /** Where the operator opens the task (absent for a channel test). */
  taskUrl: string | null;
  notifiedAt: string;
}

export interface OutboundRequest {
  method: "POST";
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface MailContent {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

const SEVERITY_MARK: Record<string, string> = { info: "ℹ️", low: "🔵", medium: "🟡", high: "🟠", critical: "🔴" };
export const USER_AGENT = "Conveyor-Alerts/1";

const titleOf = (a: AlertContent) => a.title.trim() || (a.test ? "Conveyor test alert" : "Conveyor alert");
const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").trim();
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Slack mrkdwn treats only & < > specially. */
const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function facts(a: AlertContent): Array<[string, string]> {
  return [["Severity", a.severity], ...Object.entries(a.fields)];
}

function origin(a: AlertContent): string {
  if (a.test) return `Conveyor · test of channel ${a.channelName}`;
  return `Conveyor · process #${a.processId ?? "?"} · node ${a.nodeId ?? "?"} · ${a.notifiedAt}`;
}

/** Slack incoming webhook: Block Kit (header, message, fields, a button to the task), with a plain `text` fallback for notifications. */
export function slackPayload(a: AlertContent): Record<string, unknown> {
  const pairs = facts(a);
  const fieldSections = [];
  for (let i = 0; i < pairs.length; i += 10) {
    fieldSections.push({ type: "section", fields: pairs.slice(i, i + 10).map(([k, v]) => ({ type: "mrkdwn", text: cut(`*${escapeSlack(k)}*\n${escapeSlack(v)}`, 2000) })) });
  }
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: cut(`${SEVERITY_MARK[a.severity] ?? ""} ${oneLine(titleOf(a))}`.trim(), 150), emoji: true } },
    ...(a.message ? [{ type: "section", text: { type: "mrkdwn", text: cut(escapeSlack(a.message), 3000) } }] : []),
    ...fieldSections.slice(0, 5),
    ...(a.taskUrl ? [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open task" }, url: a.taskUrl, action_id: "open_task" }] }] : []),
    { type: "context", elements: [{ type: "mrkdwn", text: escapeSlack(origin(a)) }] },
  ];
  return { text: cut(`[${a.severity.toUpperCase()}] ${oneLine(titleOf(a))}${a.message ? ` — ${oneLine(a.message)}` : ""}`, 3000), blocks };
}

/** Teams incoming webhook (and Power Automate "Workflows" webhooks): one Adaptive Card. */
export function teamsPayload(a: AlertContent): Record<string, unknown> {
  const loud = a.severity === "high" || a.severity === "critical";
  return {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: oneLine(titleOf(a)), weight: "Bolder", size: "Medium", wrap: true, ...(loud ? { color: "Attention" } : {}) },
          ...(a.message ? [{ type: "TextBlock", text: a.message, wrap: true }] : []),
          { type: "FactSet", facts: facts(a).map(([title, value]) => ({ title, value })) },
          { type: "TextBlock", text: origin(a), isSubtle: true, size: "Small", wrap: true },
        ],
        ...(a.taskUrl ? { actions: [{ type: "Action.OpenUrl", title: "Open task", url: a.taskUrl }] } : {}),
      },
    }],
  };
}

/** Telegram sendMessage text (HTML parse mode, at most 4096 characters). The task link sits in the text: buttons refuse non-public URLs. */
export function telegramText(a: AlertContent): string {
  const lines = [
    `${SEVERITY_MARK[a.severity] ?? ""} <b>${escapeHtml(oneLine(titleOf(a)))}</b>`.trim(),
    ...(a.message ? ["", escapeHtml(a.message)] : []),
    "",
    ...facts(a).map(([k, v]) => `<b>${escapeHtml(k)}:</b> ${escapeHtml(v)}`),
    ...(a.taskUrl ? ["", `<a href="${escapeHtml(a.taskUrl)}">Open task</a>`] : []),
  ];
  return cut(lines.join("\n"), 4096);
}

/** An SMS: severity, title, message and the link; at most 1,600 characters (Twilio's limit). */
export function smsBody(a: AlertContent): string {
  return cut([`[${a.severity.toUpperCase()}] ${oneLine(titleOf(a))}`, ...(a.message ? [a.message] : []), ...(a.taskUrl ? [a.taskUrl] : [])].join("\n"), 1600);
}

/** The mail: subject with the severity, a text part and an HTML part with the same content. */
export function emailContent(a: AlertContent, settings: { from: string; to: string[] }, appHost: string): MailContent {
  const title = oneLine(titleOf(a));
  const pairs = facts(a);
  const text = [title, "", ...(a.message ? [a.message, ""] : []), ...pairs.map(([k, v]) => `${k}: ${v}`), ...(a.taskUrl ? ["", `Open the task: ${a.taskUrl}`] : []), "", origin(a)].join("\n");
  const html = [
    `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">`,
    `<h2 style="margin:0 0 12px">${escapeHtml(`${SEVERITY_MARK[a.severity] ?? ""} ${title}`.trim())}</h2>`,
    ...(a.message ? [`<p style="white-space:pre-wrap">${escapeHtml(a.message)}</p>`] : []),
    `<table style="border-collapse:collapse">`,
    ...pairs.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(k)}</th><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`),
    `</table>`,
    ...(a.taskUrl ? [`<p><a href="${escapeHtml(a.taskUrl)}">Open the task</a></p>`] : []),
    `<p style="color:#64748b;font-size:12px">${escapeHtml(origin(a))}</p>`,
    `</body></html>`,
  ].join("\n");
  return {
    from: settings.from, to: settings.to, subject: cut(`[${a.severity.toUpperCase()}] ${title}`, 200), text, html,
    // Derived from the dedup key: a mail that is sent twice carries the same Message-ID, so clients fold the copies.
    messageId: `<${createHash("sha1").update(a.id).digest("hex")}.alert@${appHost}>`,
    headers: { "X-Conveyor-Alert": a.id },
  };
}

/** The generic webhook's JSON body. */
export function webhookBody(a: AlertContent): Record<string, unknown> {
  return {
    id: a.id, type: a.test ? "test" : "alert", channel: a.channelName, severity: a.severity, title: a.title, message: a.message, fields: a.fields,
    process: a.processId === null ? null : { id: a.processId }, task: a.taskId === null ? null : { id: a.taskId, url: a.taskUrl }, node: a.nodeId === null ? null : { id: a.nodeId },
    notifiedAt: a.notifiedAt,
  };
}

/**
 * The HTTP request a channel makes for an alert (every type but e-mail).
 * The webhook is signed like Conveyor's own ingestion: `X-Conveyor-Signature:
 * sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))` with
 * `X-Conveyor-Timestamp` in unix seconds, fresh on each attempt.
 */
export function buildRequest(channel: Exclude<ResolvedChannel, { type: "email" }>, a: AlertContent, nowMs: number): OutboundRequest {
  const json = (url: string, body: unknown, headers: Record<string, string> = {}): OutboundRequest => ({
    method: "POST", url, body: JSON.stringify(body), headers: { "content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT, ...headers },
  });
  switch (channel.type) {
    case "slack":
      return json(channel.secrets.webhookUrl, slackPayload(a));
    case "teams":
      return json(channel.secrets.webhookUrl, teamsPayload(a));
    case "telegram":
      return json(`${channel.settings.baseUrl}/bot${channel.secrets.botToken}/sendMessage`, { chat_id: channel.settings.chatId, text: telegramText(a), parse_mode: "HTML", disable_web_page_preview: true });
    case "sms": {
      const form = new URLSearchParams({ To: channel.settings.to, From: channel.settings.from, Body: smsBody(a) });
      return {
        method: "POST",
        url: `${channel.settings.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(channel.settings.accountSid)}/Messages.json`,
        body: form.toString(),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${channel.settings.accountSid}:${channel.secrets.authToken}`).toString("base64")}`,
          "user-agent": USER_AGENT,
        },
      };
    }
    case "webhook": {
      const body = JSON.stringify(webhookBody(a));
      const timestamp = String(Math.floor(nowMs / 1000));
      return {
        method: "POST", url: channel.secrets.url, body,
        headers: {
          ...channel.secrets.headers,
          "content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT,
          "x-conveyor-delivery": a.id, "idempotency-key": a.id, "x-conveyor-timestamp": timestamp,
          "x-conveyor-signature": `sha256=${ingestSignature({ secret: channel.secrets.signingSecret, timestamp, body })}`,
        },
      };
    }
  }
}

/** What a channel of this type would receive, for the preview (no secrets involved). */
export function previewPayload(type: ChannelType, a: AlertContent, appHost: string): unknown {
  switch (type) {
    case "slack": return slackPayload(a);
    case "teams": return teamsPayload(a);
    case "telegram": return { text: telegramText(a), parse_mode: "HTML" };
    case "sms": return { Body: smsBody(a) };
    case "email": {
      const m = emailContent(a, { from: "(channel's From)", to: ["(channel's To)"] }, appHost);
      return { subject: m.subject, text: m.text, html: m.html };
    }
    case "webhook": return webhookBody(a);
  }
}

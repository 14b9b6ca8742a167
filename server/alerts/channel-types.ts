import { z } from "zod";

/**
 * The kinds of channel, what each needs, and which of it is secret. Settings
 * are stored in clear (they are shown to editors); secrets are sealed with
 * ENCRYPTION_KEY and only ever shown masked. Every endpoint is configurable
 * (a full webhook URL, or a base URL for Telegram and Twilio, or an SMTP
 * host), so tests and self-hosted gateways can stand in for the real service.
 */
export const CHANNEL_TYPES = ["slack", "email", "sms", "telegram", "teams", "webhook"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const httpUrl = z.string().trim().url("must be a URL").refine((v) => /^https?:$/.test(new URL(v).protocol), "must be an http(s) URL");
const baseUrl = (fallback: string) => httpUrl.default(fallback).transform((v) => v.replace(/\/+$/, ""));
const email = z.string().trim().email("must be an e-mail address");
const phone = z.string().trim().regex(/^\+?[0-9]{5,16}$/, "must be a phone number in E.164 form (+15551234567)");
const headerName = z.string().trim().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "is not a valid HTTP header name");
/** Headers Conveyor sets itself on webhook requests; a custom header may not replace them. */
export const RESERVED_HEADERS = ["content-type", "content-length", "host", "x-conveyor-timestamp", "x-conveyor-signature", "x-conveyor-delivery", "idempotency-key"];

export const SETTINGS_SCHEMAS = {
  slack: z.object({}).strict(),
  teams: z.object({}).strict(),
  webhook: z.object({}).strict(),
  telegram: z.object({
    baseUrl: baseUrl("https://api.telegram.org"),
    chatId: z.string().trim().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, "must be a numeric chat id or @channelname"),
  }).strict(),
  sms: z.object({
    baseUrl: baseUrl("https://api.twilio.com"),
    accountSid: z.string().trim().regex(/^[A-Za-z0-9]{8,64}$/, "must be the account SID (letters and digits)"),
    from: z.string().trim().min(1, "is required").max(32),
    to: phone,
  }).strict(),
  email: z.object({
    host: z.string().trim().min(1, "is required").max(255).regex(/^[A-Za-z0-9.:[\]-]+$/, "must be a host name or address"),
    port: z.coerce.number().int().min(1).max(65535).default(587),
    security: z.enum(["starttls", "tls", "none"]).default("starttls"),
    username: z.string().trim().max(255).optional(),
    from: email,
    to: z.array(email).min(1, "needs at least one recipient").max(50),
  }).strict(),
} satisfies Record<ChannelType, z.ZodType>;

export const SECRETS_SCHEMAS = {
  slack: z.object({ webhookUrl: httpUrl }).strict(),
  teams: z.object({ webhookUrl: httpUrl }).strict(),
  webhook: z.object({
    url: httpUrl,
    signingSecret: z.string().min(16, "must be at least 16 characters").max(256),
    headers: z.record(headerName, z.string().max(4096)).default({}).refine(
      (h) => Object.keys(h).every((k) => !RESERVED_HEADERS.includes(k.toLowerCase())),
      `may not set ${RESERVED_HEADERS.join(", ")}`,
    ),
  }).strict(),
  telegram: z.object({ botToken: z.string().trim().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "must be a bot token (123456:ABC...)") }).strict(),
  sms: z.object({ authToken: z.string().trim().min(8, "must be the auth token").max(256) }).strict(),
  email: z.object({ password: z.string().max(1024).optional() }).strict(),
} satisfies Record<ChannelType, z.ZodType>;

export type ChannelSettings<T extends ChannelType = ChannelType> = z.output<(typeof SETTINGS_SCHEMAS)[T]>;
export type ChannelSecrets<T extends ChannelType = ChannelType> = z.output<(typeof SECRETS_SCHEMAS)[T]>;

/** A channel ready to send: settings and secrets parsed, secrets in clear (never log it). */
export type ResolvedChannel = {
  [T in ChannelType]: { id: string; name: string; type: T; settings: ChannelSettings<T>; secrets: ChannelSecrets<T> };
}[ChannelType];

/** Rate limits each service documents for one webhook / chat / sender; the default of a new channel. */
export const DEFAULT_RATE: Record<ChannelType, { max: number; perSec: number } | null> = {
  slack: { max: 1, perSec: 1 }, // Slack: one message per second per incoming webhook
  teams: { max: 4, perSec: 1 },
  telegram: { max: 20, perSec: 60 }, // Telegram: 20 messages per minute to one group
  sms: { max: 1, perSec: 1 }, // Twilio: one segment per second from a long code
  email: null,
  webhook: null,
};

/** What the channel form shows for each type (the page passes it to the client form). */
export interface FieldSpec {
  key: string;
  label: string;
  secret: boolean;
  kind: "text" | "url" | "number" | "select" | "list" | "headers" | "password";
  required: boolean;
  placeholder?: string;
  help?: string;
  options?: string[];
}

export const CHANNEL_FORMS: Record<ChannelType, { title: string; fields: FieldSpec[] }> = {
  slack: {
    title: "Slack (incoming webhook)",
    fields: [{ key: "webhookUrl", label: "Webhook URL", secret: true, kind: "url", required: true, placeholder: "https://hooks.slack.com/services/…" }],
  },
  teams: {
    title: "Microsoft Teams (incoming webhook)",
    fields: [{ key: "webhookUrl", label: "Webhook URL", secret: true, kind: "url", required: true, placeholder: "https://….webhook.office.com/… or a Workflows URL" }],
  },
  webhook: {
    title: "Webhook (JSON, HMAC-signed)",
    fields: [
      { key: "url", label: "URL", secret: true, kind: "url", required: true, placeholder: "https://example.com/hooks/conveyor" },
      { key: "signingSecret", label: "Signing secret", secret: true, kind: "password", required: false, help: "HMAC-SHA256 key for X-Conveyor-Signature; left empty on creation, one is generated and shown once." },
      { key: "headers", label: "Custom headers", secret: true, kind: "headers", required: false, placeholder: "Authorization: Bearer …", help: "One `Name: value` per line; values are stored encrypted." },
    ],
  },
  telegram: {
    title: "Telegram (Bot API)",
    fields: [
      { key: "botToken", label: "Bot token", secret: true, kind: "password", required: true, placeholder: "123456:ABC-DEF…" },
      { key: "chatId", label: "Chat id", secret: false, kind: "text", required: true, placeholder: "-1001234567890 or @channel" },
      { key: "baseUrl", label: "API base URL", secret: false, kind: "url", required: false, placeholder: "https://api.telegram.org" },
    ],
  },
  sms: {
    title: "SMS (Twilio-compatible)",
    fields: [
      { key: "accountSid", label: "Account SID", secret: false, kind: "text", required: true, placeholder: "AC…" },
      { key: "authToken", label: "Auth token", secret: true, kind: "password", required: true },
      { key: "from", label: "From", secret: false, kind: "text", required: true, placeholder: "+15551234567 or a sender id" },
      { key: "to", label: "To", secret: false, kind: "text", required: true, placeholder: "+15557654321" },
      { key: "baseUrl", label: "API base URL", secret: false, kind: "url", required: false, placeholder: "https://api.twilio.com" },
    ],
  },
  email: {
    title: "E-mail (SMTP)",
    fields: [
      { key: "host", label: "SMTP host", secret: false, kind: "text", required: true, placeholder: "smtp.example.com" },
      { key: "port", label: "Port", secret: false, kind: "number", required: false, placeholder: "587" },
      { key: "security", label: "Security", secret: false, kind: "select", required: false, options: ["starttls", "tls", "none"] },
      { key: "username", label: "User name", secret: false, kind: "text", required: false },
      { key: "password", label: "Password", secret: true, kind: "password", required: false },
      { key: "from", label: "From", secret: false, kind: "text", required: true, placeholder: "alerts@example.com" },
      { key: "to", label: "To", secret: false, kind: "list", required: true, placeholder: "oncall@example.com, security@example.com" },
    ],
  },
};

export function isChannelType(v: unknown): v is ChannelType {
  return typeof v === "string" && (CHANNEL_TYPES as readonly string[]).includes(v);
}

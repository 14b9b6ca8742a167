import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { PoolClient, Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import { maskSecret, type SecretBox } from "../crypto/secret-box.ts";
import { DEFAULT_RATE, SECRETS_SCHEMAS, SETTINGS_SCHEMAS, type ChannelType, type ResolvedChannel } from "./channel-types.ts";

/** What operators see of a channel. `secrets` (masked) only for those who manage channels. */
export interface ChannelDto {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  /** Masked, e.g. `https://hooks.slack.com/••••Xk3q`; absent for roles that may not manage channels. */
  secrets?: Record<string, string>;
  rate: { max: number; perSec: number } | null;
  summary: string;
  createdAt: string;
  updatedAt: string;
}

export const channelNameSchema = z.string().trim().min(1, "a name is required").max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, "may hold letters, digits, spaces, _ . - and must start with a letter or digit");
export const rateSchema = z.object({ max: z.number().int().min(1).max(100_000), perSec: z.number().int().min(1).max(86_400) }).nullable();

type Row = { id: string; name: string; type: string; settings: unknown; secretEnc: string; rateMax: number | null; ratePerSec: number | null; createdAt: Date; updatedAt: Date };

function parseFor<T extends ChannelType>(type: T, settings: unknown, secrets: unknown) {
  const s = SETTINGS_SCHEMAS[type].safeParse(settings ?? {});
  if (!s.success) throw settingsError("settings", s.error);
  const k = SECRETS_SCHEMAS[type].safeParse(secrets ?? {});
  if (!k.success) throw settingsError("secrets", k.error);
  return { settings: s.data as Record<string, unknown>, secrets: k.data as Record<string, unknown> };
}

function settingsError(where: string, err: z.ZodError): AppError {
  const i = err.issues[0];
  // Never echo a secret's value back: name the field and the rule only.
  return new AppError("bad_request", `${where}.${i?.path.join(".") || "?"}: ${i?.message ?? "invalid"}`);
}

/** A secret for display: URLs keep their origin (which service) and lose the path (the credential). */
function maskValue(value: string): string {
  try {
    const u = new URL(value);
    if (/^https?:$/.test(u.protocol)) return `${u.origin}/${maskSecret(value)}`;
  } catch {
    // not a URL
  }
  return maskSecret(value);
}

export function maskSecrets(secrets: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    if (typeof v === "string" && v) out[k] = maskValue(v);
    else if (v && typeof v === "object") {
      const names = Object.entries(v as Record<string, string>).map(([h, val]) => `${h}: ${maskSecret(val)}`);
      if (names.length) out[k] = names.join("\n");
    }
  }
  return out;
}

function summaryOf(type: ChannelType, settings: Record<string, unknown>, secrets: Record<string, unknown>): string {
  const host = (u: unknown) => {
    try {
      return new URL(String(u)).host;
    } catch {
      return "?";
    }
  };
  switch (type) {
    case "slack":
    case "teams":
      return `webhook at ${host(secrets.webhookUrl)}`;
    case "webhook":
      return `POST to ${host(secrets.url)}, signed`;
    case "telegram":
      return `chat ${String(settings.chatId)} via ${host(settings.baseUrl)}`;
    case "sms":
      return `to ${String(settings.to)} via ${host(settings.baseUrl)}`;
    case "email":
      return `to ${(settings.to as string[]).join(", ")} via ${String(settings.host)}:${String(settings.port)}`;
  }
}

function toDto(row: Row, box: SecretBox, withSecrets: boolean): ChannelDto {
  const type = row.type as ChannelType;
  const secrets = JSON.parse(box.open(row.secretEnc)) as Record<string, unknown>;
  const settings = row.settings as Record<string, unknown>;
  return {
    id: row.id, name: row.name, type, settings,
    ...(withSecrets ? { secrets: maskSecrets(secrets) } : {}),
    rate: row.rateMax && row.ratePerSec ? { max: row.rateMax, perSec: row.ratePerSec } : null,
    summary: summaryOf(type, settings, secrets),
    createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listChannels({ db, box, withSecrets }: { db: Db; box: SecretBox; withSecrets: boolean }): Promise<ChannelDto[]> {
  const rows = await db.channel.findMany({ orderBy: { name: "asc" } });
  return rows.map((r) => toDto(r, box, withSecrets));
}

export async function getChannel({ db, box, id, withSecrets }: { db: Db; box: SecretBox; id: string; withSecrets: boolean }): Promise<ChannelDto> {
  const row = z.string().uuid().safeParse(id).success ? await db.channel.findUnique({ where: { id } }) : null;
  if (!row) throw new AppError("not_found", "no such channel");
  return toDto(row, box, withSecrets);
}

async function assertNameFree(db: Db, name: string, exceptId?: string): Promise<void> {
  const other = await db.channel.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId) throw new AppError("conflict", `a channel named "${name}" already exists`);
}

/**
 * Creates a channel. A webhook without a signing secret gets a generated one,
 * returned here once (`generated`) and never again.
 */
export async function createChannel({ db, box, input, actorId }: {
  db: Db;
  box: SecretBox;
  input: { name: string; type: ChannelType; settings?: unknown; secrets?: Record<string, unknown>; rate?: { max: number; perSec: number } | null };
  actorId?: string | null;
}): Promise<{ channel: ChannelDto; generated: Record<string, string> }> {
  const generated: Record<string, string> = {};
  const secretsIn = { ...(input.secrets ?? {}) };
  if (input.type === "webhook" && !secretsIn.signingSecret) secretsIn.signingSecret = generated.signingSecret = randomBytes(32).toString("base64url");
  const { settings, secrets } = parseFor(input.type, input.settings, secretsIn);
  await assertNameFree(db, input.name);
  const rate = input.rate === undefined ? DEFAULT_RATE[input.type] : input.rate;
  const row = await db.channel.create({
    data: {
      id: randomUUID(), name: input.name, type: input.type, settings: settings as object, secretEnc: box.seal(JSON.stringify(secrets)),
      rateMax: rate?.max ?? null, ratePerSec: rate?.perSec ?? null, createdById: actorId ?? null,
    },
  });
  return { channel: toDto(row, box, true), generated };
}

/**
 * Changes a channel. Secrets absent from `secrets` (or empty strings) keep
 * their stored value, so the form never needs to show them; the type is fixed.
 * Returns which fields changed, for the audit log (names, never values).
 */
export async function updateChannel({ db, box, id, input }: {
  db: Db;
  box: SecretBox;
  id: string;
  input: { name?: string; settings?: unknown; secrets?: Record<string, unknown>; rate?: { max: number; perSec: number } | null };
}): Promise<{ channel: ChannelDto; changed: string[] }> {
  const row = z.string().uuid().safeParse(id).success ? await db.channel.findUnique({ where: { id } }) : null;
  if (!row) throw new AppError("not_found", "no such channel");
  const type = row.type as ChannelType;
  const stored = JSON.parse(box.open(row.secretEnc)) as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(input.secrets ?? {}).filter(([, v]) => v !== "" && v !== undefined && v !== null));
  const { settings, secrets } = parseFor(type, input.settings ?? row.settings, { ...stored, ...given });
  if (input.name !== undefined && input.name !== row.name) await assertNameFree(db, input.name, id);
  const rateChanged = input.rate !== undefined && ((input.rate?.max ?? null) !== row.rateMax || (input.rate?.perSec ?? null) !== row.ratePerSec);
  const changed = [
    ...(input.name !== undefined && input.name !== row.name ? ["name"] : []),
    ...Object.keys(settings).filter((k) => JSON.stringify(settings[k]) !== JSON.stringify((row.settings as Record<string, unknown>)[k])).map((k) => `settings.${k}`),
    ...Object.keys(given).filter((k) => JSON.stringify(secrets[k]) !== JSON.stringify(stored[k])).map((k) => `secrets.${k}`),
    ...(rateChanged ? ["rate"] : []),
  ];
  const updated = await db.channel.update({
    where: { id },
    data: {
      name: input.name ?? row.name, settings: settings as object, secretEnc: box.seal(JSON.stringify(secrets)), updatedAt: new Date(),
      ...(input.rate !== undefined ? { rateMax: input.rate?.max ?? null, ratePerSec: input.rate?.perSec ?? null } : {}),
    },
  });
  return { channel: toDto(updated, box, true), changed };
}

export async function deleteChannel({ db, id }: { db: Db; id: string }): Promise<{ name: string; type: string }> {
  const row = z.string().uuid().safeParse(id).success ? await db.channel.findUnique({ where: { id }, select: { name: true, type: true } }) : null;
  if (!row) throw new AppError("not_found", "no such channel");
  await db.channel.delete({ where: { id } });
  return row;
}

/** Names and ids of every channel: what a notify block may name (the engine's `channelExists`). */
export async function channelKeys(client: Pick<PoolClient | Pool, "query">): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; name: string }>("SELECT id::text AS id, name FROM channel");
  // Ids first, names after: a name that happens to equal another channel's id means the named one (as insertNotifications resolves it).
  return new Map([...rows.map((r) => [r.id, r.id] as const), ...rows.map((r) => [r.name, r.id] as const)]);
}

/** Channels' rate limits (every channel's, or the named ones'), for the delivery gate. */
export async function channelRates(pool: Pick<Pool, "query">, ids?: string[]): Promise<Map<string, { max: number; perSec: number } | null>> {
  const { rows } = await pool.query<{ id: string; rate_max: number | null; rate_per_sec: number | null }>(
    `SELECT id::text AS id, rate_max, rate_per_sec FROM channel${ids ? " WHERE id = ANY($1::uuid[])" : ""}`, ids ? [ids] : [],
  );
  return new Map(rows.map((r) => [r.id, r.rate_max && r.rate_per_sec ? { max: r.rate_max, perSec: r.rate_per_sec } : null]));
}

/** Decrypts a channel for sending. Throws an AppError naming the channel when its stored form is unusable. */
export function resolveChannel(row: { id: string; name: string; type: string; settings: unknown; secret_enc: string }, box: SecretBox): ResolvedChannel {
  const type = row.type as ChannelType;
  let secrets: unknown;
  try {
    secrets = JSON.parse(box.open(row.secret_enc));
  } catch (err) {
    throw new AppError("unprocessable", `channel "${row.name}": its secrets cannot be decrypted (${(err as Error).message}); an admin must enter them again`);
  }
  const parsed = parseFor(type, row.settings, secrets);
  return { id: row.id, name: row.name, type, settings: parsed.settings, secrets: parsed.secrets } as ResolvedChannel;
}

/**
 * Channel names that published processes notify but that do not exist: those
 * notifies take their error exit and the alerts are never sent. Templated
 * names (`{{...}}`) cannot be checked and are left out.
 */
export async function findMissingChannels(pool: Pick<Pool, "query">): Promise<Array<{ name: string; processes: string[] }>> {
  const { rows } = await pool.query<{ name: string; processes: string[] }>(
    `SELECT l->>'channel' AS name, array_agg(DISTINCT '#' || p.id || ' ' || p.title) AS processes
     FROM process p JOIN process_version v ON v.id = p.published_version_id
     CROSS JOIN LATERAL jsonb_array_elements(v.scheme->'nodes') n
     CROSS JOIN LATERAL jsonb_array_elements(n->'condition'->'logics') l
     WHERE l->>'type' = 'notify' AND coalesce(l->>'channel', '') <> '' AND l->>'channel' NOT LIKE '%{{%'
       AND NOT EXISTS (SELECT 1 FROM channel c WHERE c.name = l->>'channel' OR c.id::text = l->>'channel')
     GROUP BY 1 ORDER BY 1`,
  );
  return rows;
}

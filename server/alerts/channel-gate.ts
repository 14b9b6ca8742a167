import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Channel-wide pacing in Redis, shared by every worker: a cooldown a receiver
 * asked for (429 with Retry-After) and the channel's own rate limit: at most
 * `max` deliveries in any span of `perSec` seconds. The limit is a log of
 * places, by time, on Redis's clock (workers whose clocks differ agree): a
 * caller gets the earliest place that keeps the limit — now, or later, and
 * then it is kept for it, so a backlog is scheduled once instead of asking
 * again and again. A caller that comes back at its place (`placeAt`, a time
 * on Redis's clock as the gate gave it) only checks the cooldown — unless it
 * comes more than PLACE_GRACE_MS late (its worker was down, say): then it
 * takes a new place, so jobs returning late together cannot burst. Answers
 * { ms to wait, the place's time or 0 }: a cooldown's time left (no place
 * taken); 0 go now (the place is taken); or the wait until the place taken.
 */
const PLACE_GRACE_MS = 1000;
const GATE_LUA = `
local cool = redis.call('PTTL', KEYS[1])
if cool > 0 then return {cool, 0} end
local max = tonumber(ARGV[1])
if max == 0 then return {0, 0} end
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local placeAt = tonumber(ARGV[4])
if placeAt > 0 and now - placeAt <= tonumber(ARGV[5]) then return {0, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[2])
local at = now
if n >= max then
  local e = redis.call('ZRANGE', KEYS[2], n - max, n - max, 'WITHSCORES')
  at = math.max(now, tonumber(e[2]) + window)
end
redis.call('ZADD', KEYS[2], at, ARGV[3])
redis.call('PEXPIRE', KEYS[2], at - now + window + 1000)
return {at - now, at}
`;

/** Go now (`waitMs` 0); or wait `waitMs` — for a cooldown (ask again then) or, with `placeAt`, for the place kept for it then. */
export type GateAnswer = { waitMs: number; placeAt?: number };

export type ChannelRate = { max: number; perSec: number } | null;
type GateRedis = Redis & { conveyorAlertGate(cooldownKey: string, logKey: string, max: string, windowMs: string, member: string, placeAt: string, graceMs: string): Promise<[number, number]> };

/**
 * `rates` reads every channel's limit (one small query); the answer is kept
 * for `ratesTtlMs`, so a changed limit applies within seconds everywhere.
 */
export function createChannelGate({ redis, prefix, rates, ratesTtlMs = 5_000 }: {
  redis: Redis;
  prefix: string;
  /** Rate limits by channel id: of every channel, or of the ones named. */
  rates: (ids?: string[]) => Promise<Map<string, ChannelRate>>;
  ratesTtlMs?: number;
}) {
  const cooldownKey = (id: string) => `${prefix}:alerts:cooldown:${id}`;
  const logKey = (id: string) => `${prefix}:alerts:rate:${id}`;
  // Log members must be unique across workers: this gate's id and a count.
  const gateId = randomUUID();
  let admissions = 0;
  // EVALSHA (ioredis loads the script on first use): the script's text is not sent with every alert.
  if (!(redis as unknown as Partial<GateRedis>).conveyorAlertGate) redis.defineCommand("conveyorAlertGate", { numberOfKeys: 2, lua: GATE_LUA });
  let cached: { at: number; rates: Promise<Map<string, ChannelRate>> } | null = null;
  const reload = () => {
    const fresh = { at: Date.now(), rates: rates() };
    cached = fresh;
    fresh.rates.catch(() => cached === fresh && (cached = null));
    return fresh.rates;
  };
  const rateOf = async (channelId: string): Promise<ChannelRate> => {
    const map = await (!cached || Date.now() - cached.at > ratesTtlMs ? reload() : cached.rates);
    // A channel created since the last read: ask for it alone, and remember the answer until the next reload.
    if (!map.has(channelId)) map.set(channelId, (await rates([channelId])).get(channelId) ?? null);
    return map.get(channelId) ?? null;
  };
  return {
    /** Whether to send through this channel now; `placeAt`: the caller comes back to the place it was given for then. */
    async wait(channelId: string, { placeAt }: { placeAt?: number } = {}): Promise<GateAnswer> {
      const rate = await rateOf(channelId);
      const windowMs = (rate?.perSec ?? 1) * 1000;
      const member = `${gateId}:${++admissions}`;
      const [waitMs, at] = await (redis as unknown as GateRedis).conveyorAlertGate(cooldownKey(channelId), logKey(channelId), String(rate?.max ?? 0), String(windowMs), member, String(placeAt ?? 0), String(PLACE_GRACE_MS));
      return waitMs > 0 && at > 0 ? { waitMs, placeAt: at } : { waitMs };
    },
    /** Holds every alert of the channel for `ms` (a receiver's Retry-After). Never shortens a longer hold. */
    async cooldown(channelId: string, ms: number): Promise<void> {
      if (ms <= 0) return;
      const key = cooldownKey(channelId);
      const left = await redis.pttl(key);
      if (left < ms) await redis.set(key, "1", "PX", Math.ceil(ms));
    },
  };
}
export type ChannelGate = ReturnType<typeof createChannelGate>;

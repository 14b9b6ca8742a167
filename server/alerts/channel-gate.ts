import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Channel-wide pacing in Redis, shared by every worker: a cooldown a receiver
 * asked for (429 with Retry-After) and the channel's own rate limit: at most
 * `max` deliveries in any span of `perSec` seconds (a sliding log of the times
 * deliveries were admitted, read from Redis's clock so workers on machines
 * whose clocks differ agree). Answers how long the caller must wait; 0 admits
 * it and logs it. A positive answer is a cooldown's time left; a negative one
 * is the time until the oldest admission in the span leaves it.
 */
const GATE_LUA = `
local cool = redis.call('PTTL', KEYS[1])
if cool > 0 then return cool end
local max = tonumber(ARGV[1])
if max == 0 then return 0 end
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[2])
if n < max then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[2], n - max, n - max, 'WITHSCORES')
local left = tonumber(oldest[2]) + window - now
if left < 1 then left = 1 end
return -left
`;

export type ChannelRate = { max: number; perSec: number } | null;
type GateRedis = Redis & { conveyorAlertGate(cooldownKey: string, logKey: string, max: string, windowMs: string, member: string): Promise<number> };

/**
 * `rates` reads every channel's limit (one small query); the answer is kept
 * for `ratesTtlMs`, so a changed limit applies within seconds everywhere.
 */
export function createChannelGate({ redis, prefix, rates, ratesTtlMs = 5_000, random = Math.random }: {
  redis: Redis;
  prefix: string;
  /** Rate limits by channel id: of every channel, or of the ones named. */
  rates: (ids?: string[]) => Promise<Map<string, ChannelRate>>;
  ratesTtlMs?: number;
  random?: () => number;
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
    /** Ms to wait before sending through this channel (0: go now). */
    async wait(channelId: string): Promise<number> {
      const rate = await rateOf(channelId);
      const windowMs = (rate?.perSec ?? 1) * 1000;
      const member = `${gateId}:${++admissions}`;
      const res = Number(await (redis as unknown as GateRedis).conveyorAlertGate(cooldownKey(channelId), logKey(channelId), String(rate?.max ?? 0), String(windowMs), member));
      if (res >= 0) return res;
      // Over the limit: come back when a place frees, spread over a window so the waiting alerts do not all return at once.
      return -res + Math.floor(random() * windowMs);
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

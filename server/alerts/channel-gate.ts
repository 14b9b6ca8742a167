import type { Redis } from "ioredis";

/**
 * Channel-wide pacing in Redis, shared by every worker: a cooldown a receiver
 * asked for (429 with Retry-After) and the channel's own rate limit (a fixed
 * window of `perSec` seconds admitting `max` messages). Answers how long the
 * caller must wait; 0 admits it and counts it.
 */
const GATE_LUA = `
local cool = redis.call('PTTL', KEYS[1])
if cool > 0 then return cool end
if ARGV[1] == '0' then return 0 end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 0 end
local left = redis.call('PTTL', KEYS[2])
if left < 1 then left = 1 end
return -left
`;

export type ChannelRate = { max: number; perSec: number } | null;
type GateRedis = Redis & { conveyorAlertGate(cooldownKey: string, windowKey: string, max: string, ttlMs: string): Promise<number> };

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
    async wait(channelId: string, nowMs = Date.now()): Promise<number> {
      const rate = await rateOf(channelId);
      const windowMs = (rate?.perSec ?? 1) * 1000;
      const windowKey = `${prefix}:alerts:rate:${channelId}:${Math.floor(nowMs / windowMs)}`;
      const res = Number(await (redis as unknown as GateRedis).conveyorAlertGate(cooldownKey(channelId), windowKey, String(rate?.max ?? 0), String(windowMs + 1000)));
      if (res >= 0) return res;
      // Over the limit: come back in the next window, spread over it so the waiting alerts do not all return at once.
      const windowLeft = windowMs - (nowMs % windowMs);
      return windowLeft + Math.floor(random() * windowMs);
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

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Redis } from "ioredis";
import { createRedis } from "../redis.ts";
import { testUrls } from "../testing/test-env.ts";
import { createChannelGate, type ChannelRate } from "./channel-gate.ts";

/**
 * The channel gate on the real Redis, as three workers share it: a channel's
 * rate limit of N per S seconds lets at most N deliveries go in *any* span of
 * S seconds (not per clock-aligned window, which lets 2·N through around a
 * window's edge); a caller over the limit gets the earliest place that keeps
 * it, kept for it, so a backlog is scheduled with one question per alert; a
 * receiver's cooldown holds everything, places included.
 */
const PREFIX = `conveyor-test-gate-${process.pid}`;
const clients: Redis[] = [];

beforeAll(() => {
  for (let i = 0; i < 3; i++) clients.push(createRedis({ redisUrl: testUrls().redisUrl }));
});
afterAll(async () => {
  const keys = await clients[0].keys(`${PREFIX}:*`);
  if (keys.length) await clients[0].del(...keys);
  await Promise.all(clients.map((c) => c.quit()));
});

const gates = (rates: Record<string, ChannelRate>) =>
  clients.map((redis) => createChannelGate({ redis, prefix: PREFIX, rates: async () => new Map(Object.entries(rates)) }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A caller as the alert worker is one: asks, and if told to wait, comes back then — holding its place if it was given one. */
async function deliverThrough(gate: ReturnType<typeof gates>[number], channelId: string, log: { asked: number }): Promise<{ before: number; after: number }> {
  let placeAt: number | undefined;
  for (;;) {
    const before = Date.now();
    log.asked++;
    const answer = await gate.wait(channelId, { placeAt });
    if (answer.waitMs === 0) return { before, after: Date.now() };
    placeAt = answer.placeAt;
    await sleep(answer.waitMs);
  }
}

describe("channel gate", () => {
  it("2 per second, twelve alerts on three workers at once: never 3 go within a second, 2 go every second, and each asks at most twice", async () => {
    const workers = gates({ paced: { max: 2, perSec: 1 } });
    const log = { asked: 0 };
    const went = await Promise.all(Array.from({ length: 12 }, (_, i) => deliverThrough(workers[i % 3], "paced", log)));
    went.sort((a, b) => a.before - b.before);
    // Any three deliveries lie a second apart (each went between its `before` and `after`; a caller's timer may
    // bring it back a few ms before its place, which Redis's clock kept exactly a second after the other's).
    for (let i = 0; i + 2 < went.length; i++) {
      const three = went.slice(i, i + 3);
      expect(Math.max(...three.map((a) => a.after)) - Math.min(...three.map((a) => a.before)), `deliveries ${i}..${i + 2}`).toBeGreaterThanOrEqual(1000 - 5);
    }
    // Scheduled, not polled: 2 at once, then 2 a second for the other 10 (about 5 s in all), one question each plus one on return.
    const span = Math.max(...went.map((a) => a.after)) - Math.min(...went.map((a) => a.before));
    expect(span).toBeGreaterThanOrEqual(5000 - 50);
    expect(span).toBeLessThan(5000 + 600);
    expect(log.asked).toBe(2 + 10 * 2);
  });

  it("a caller over the limit gets the place after the oldest in the span leaves it, and that place is kept for it", async () => {
    const [gate, other] = gates({ slow: { max: 2, perSec: 3 } });
    const t0 = Date.now();
    expect(await gate.wait("slow")).toEqual({ waitMs: 0 });
    await sleep(400);
    expect(await gate.wait("slow")).toEqual({ waitMs: 0 });
    const third = await gate.wait("slow");
    const elapsed = Date.now() - t0;
    expect(third.placeAt! - Date.now()).toBeGreaterThan(third.waitMs - 50);
    expect(third.waitMs).toBeGreaterThan(3000 - elapsed - 50);
    expect(third.waitMs).toBeLessThanOrEqual(3000 - 400 + 2); // (a timer may fire a millisecond early)
    // The next caller is placed after it (the second admission's place + 3 s), not at the same time.
    const fourth = await other.wait("slow");
    expect(fourth.placeAt).toBeDefined();
    expect(fourth.waitMs - third.waitMs).toBeGreaterThan(400 - 60);
    // Coming back at its place, the third goes without taking another.
    await sleep(third.waitMs);
    expect(await gate.wait("slow", { placeAt: third.placeAt })).toEqual({ waitMs: 0 });
    // Four places in the log (two went at once, two were kept); going at one's place adds none.
    expect(await clients[0].zcard(`${PREFIX}:alerts:rate:slow`)).toBe(4);
  });

  it("a receiver's cooldown holds every delivery of the channel, a held place too, and a shorter one never cuts it", async () => {
    const [gate] = gates({ cooled: null, limited: { max: 1, perSec: 1 } });
    expect(await gate.wait("cooled")).toEqual({ waitMs: 0 });
    await gate.cooldown("cooled", 800);
    await gate.cooldown("cooled", 100);
    const wait = await gate.wait("cooled");
    expect(wait.placeAt).toBeUndefined();
    expect(wait.waitMs).toBeGreaterThan(600);
    expect(wait.waitMs).toBeLessThanOrEqual(800);
    // A channel without a limit keeps no log of its deliveries.
    expect(await clients[0].exists(`${PREFIX}:alerts:rate:cooled`)).toBe(0);

    expect((await gate.wait("limited")).waitMs).toBe(0);
    const placed = await gate.wait("limited");
    expect(placed.placeAt).toBeDefined();
    await gate.cooldown("limited", 500);
    const held = await gate.wait("limited", { placeAt: placed.placeAt });
    expect(held.placeAt).toBeUndefined();
    expect(held.waitMs).toBeGreaterThan(300);
  });

  it("a caller back more than a second after its place (its worker was down) takes a new one: late jobs cannot burst", async () => {
    const [gate] = gates({ late: { max: 1, perSec: 1 } });
    expect((await gate.wait("late")).waitMs).toBe(0);
    const a = await gate.wait("late");
    const b = await gate.wait("late");
    expect(b.placeAt! - a.placeAt!).toBeGreaterThanOrEqual(1000 - 5);
    // Both come back long after their places, together.
    await sleep(b.placeAt! - Date.now() + 1300);
    const [againA, againB] = [await gate.wait("late", { placeAt: a.placeAt }), await gate.wait("late", { placeAt: b.placeAt })];
    // a is 2.3 s late: a new place, and it is now (the log is empty); b, 1.3 s late, gets the next one a second on.
    expect(againA).toEqual({ waitMs: 0 });
    expect(againB.placeAt).toBeDefined();
    expect(againB.waitMs).toBeGreaterThan(900);
    // On time (within the grace), a place is honoured.
    expect(await gate.wait("late", { placeAt: Date.now() - 500 })).toEqual({ waitMs: 0 });
  });

  it("places are times on Redis's clock: a worker whose clock runs 3 s behind still goes at its place, once", async () => {
    const [gate] = gates({ skewed: { max: 1, perSec: 1 } });
    const realNow = Date.now.bind(Date);
    const skew = vi.spyOn(Date, "now").mockImplementation(() => realNow() - 3000);
    try {
      expect((await gate.wait("skewed")).waitMs).toBe(0);
      const log = { asked: 0 };
      await deliverThrough(gate, "skewed", log);
      expect(log.asked).toBe(2);
    } finally {
      skew.mockRestore();
    }
  });
});

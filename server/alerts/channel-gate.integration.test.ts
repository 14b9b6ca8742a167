import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { createRedis } from "../redis.ts";
import { testUrls } from "../testing/test-env.ts";
import { createChannelGate, type ChannelRate } from "./channel-gate.ts";

/**
 * The channel gate on the real Redis, as three workers share it: a channel's
 * rate limit of N per S seconds admits at most N deliveries in *any* span of
 * S seconds (not per clock-aligned window, which lets 2·N through around a
 * window's edge), answers a waiting caller with the time until a place frees,
 * and a receiver's cooldown holds everything.
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
  clients.map((redis) => createChannelGate({ redis, prefix: PREFIX, rates: async () => new Map(Object.entries(rates)), random: () => 0 }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("channel gate", () => {
  it("2 per second, three workers each with four callers that always come back when told: never 3 admitted within a second, and 2 every second", async () => {
    const workers = gates({ paced: { max: 2, perSec: 1 } });
    const admitted: Array<{ before: number; after: number }> = [];
    const until = Date.now() + 3_300;
    await Promise.all(workers.flatMap((gate) => Array.from({ length: 4 }, async () => {
      while (Date.now() < until) {
        const before = Date.now();
        const wait = await gate.wait("paced");
        if (wait === 0) {
          admitted.push({ before, after: Date.now() });
          await sleep(5);
        } else {
          expect(wait).toBeLessThanOrEqual(1000);
          await sleep(Math.min(wait, until - Date.now()));
        }
      }
    })));
    admitted.sort((a, b) => a.before - b.before);
    // Any three admissions lie at least a second apart (the admission happened between `before` and `after`).
    for (let i = 0; i + 2 < admitted.length; i++) {
      const three = admitted.slice(i, i + 3);
      expect(Math.max(...three.map((a) => a.after)) - Math.min(...three.map((a) => a.before)), `admissions ${i}..${i + 2}`).toBeGreaterThanOrEqual(1000);
    }
    // And the limit does not starve the channel: 2 at once, 2 a second later, and so on (0 s, 1 s, 2 s, 3 s).
    expect(admitted.length).toBeGreaterThanOrEqual(7);
    expect(admitted.length).toBeLessThanOrEqual(8);
  });

  it("a caller over the limit is told the time until the oldest admission in the span leaves it", async () => {
    const [gate] = gates({ slow: { max: 2, perSec: 3 } });
    const t0 = Date.now();
    expect(await gate.wait("slow")).toBe(0);
    await sleep(400);
    expect(await gate.wait("slow")).toBe(0);
    const wait = await gate.wait("slow");
    const elapsed = Date.now() - t0;
    expect(wait).toBeGreaterThan(3000 - elapsed - 50);
    expect(wait).toBeLessThanOrEqual(3000 - 400 + 2); // (a timer may fire a millisecond early)
    // The answer is true: asking again after it admits.
    await sleep(wait + 5);
    expect(await gate.wait("slow")).toBe(0);
    // …and the place it took is the last free one until the second admission leaves the span.
    expect(await gate.wait("slow")).toBeGreaterThan(0);
  });

  it("waiting callers are spread over a window, so they do not all come back at once", async () => {
    const redis = clients[0];
    const values = [0, 0.5];
    let n = 0;
    const gate = createChannelGate({ redis, prefix: PREFIX, rates: async () => new Map([["spread", { max: 1, perSec: 1 }]]), random: () => values[n++ % values.length] });
    expect(await gate.wait("spread")).toBe(0);
    const waits = [await gate.wait("spread"), await gate.wait("spread")];
    expect(waits[0]).toBeGreaterThan(900);
    expect(waits[1] - waits[0]).toBeGreaterThan(400);
  });

  it("a receiver's cooldown holds every delivery of the channel, limited or not, and a shorter one never cuts it", async () => {
    const [gate] = gates({ cooled: null });
    expect(await gate.wait("cooled")).toBe(0);
    await gate.cooldown("cooled", 800);
    await gate.cooldown("cooled", 100);
    const wait = await gate.wait("cooled");
    expect(wait).toBeGreaterThan(600);
    expect(wait).toBeLessThanOrEqual(800);
    // A channel without a limit keeps no log of its deliveries.
    expect(await clients[0].exists(`${PREFIX}:alerts:rate:cooled`)).toBe(0);
  });
});

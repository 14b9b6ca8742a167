import { describe, expect, it } from "vitest";
import { createSemaphore } from "../server/semaphore.ts";
import { createBatcher } from "./batcher.ts";

describe("createBatcher", () => {
  it("with a gate, calls made while the batch waits for a slot join it (one flush, not one per call)", async () => {
    const gate = createSemaphore(1);
    const held = await gate.acquire();
    const flushed: number[][] = [];
    const add = createBatcher<number, number>({ flush: async (items) => (flushed.push(items), items.map((i) => i * 2)), maxBatch: 64, lingerMs: 1, gate });
    const first = add(1);
    await new Promise((r) => setTimeout(r, 20)); // the batch now waits for the slot
    const rest = [add(2), add(3), add(4)];
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toEqual([]);
    held();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8]);
    expect(flushed).toEqual([[1, 2, 3, 4]]);
  });

  it("holds at most the gate's slots while flushing, and releases them after a failed flush", async () => {
    const gate = createSemaphore(2);
    let inFlight = 0;
    let most = 0;
    const add = createBatcher<number, number>({
      flush: async (items) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        if (items.includes(0)) throw new Error("boom");
        return items;
      },
      maxBatch: 1,
      lingerMs: 0,
      gate,
    });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => add(i)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(most).toBe(2);
    const release = await gate.acquire(); // both slots are free again
    const second = await gate.acquire();
    release();
    second();
  });
});

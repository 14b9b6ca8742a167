import { describe, expect, it } from "vitest";
import { bucketStart, buildSeries, seriesValues } from "./counter-history.ts";

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const MIN = 60_000;

describe("counter series", () => {
  it("carries the last snapshot forward over minutes without one, and puts the live counters in the current bucket", () => {
    const s = buildSeries({
      bucket: "minute", first: T0, span: 5, baseline: { a: 1, done: 10 },
      rows: [{ t: T0 + MIN, counts: { a: 3, done: 12 } }, { t: T0 + 3 * MIN, counts: { a: 0, done: 15 } }],
      live: { a: 2, done: 18 },
    });
    expect(s.points.map((p) => p.t)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * MIN));
    expect(seriesValues(s, "a", "level")).toEqual([1, 3, 3, 0, 2]);
    expect(seriesValues(s, "done", "level")).toEqual([10, 12, 12, 15, 18]);
    // Increase: what arrived in each bucket, from the baseline on.
    expect(seriesValues(s, "done", "increase")).toEqual([0, 2, 0, 3, 3]);
  });

  it("starts from zero without a baseline, and a counter that fell counts as no increase", () => {
    const s = buildSeries({ bucket: "minute", first: T0, span: 3, baseline: {}, rows: [{ t: T0, counts: { done: 4 } }, { t: T0 + MIN, counts: { done: 1 } }], live: null });
    expect(seriesValues(s, "done", "increase")).toEqual([4, 0, 0]);
    expect(seriesValues(s, "missing", "level")).toEqual([0, 0, 0]);
  });

  it("buckets by UTC hour and day", () => {
    const t = Date.UTC(2026, 10, 27, 13, 47, 12);
    expect(bucketStart(t, "minute")).toBe(Date.UTC(2026, 10, 27, 13, 47));
    expect(bucketStart(t, "hour")).toBe(Date.UTC(2026, 10, 27, 13));
    expect(bucketStart(t, "day")).toBe(Date.UTC(2026, 10, 27));
  });
});

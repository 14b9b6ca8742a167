import { describe, expect, it } from "vitest";
import { axisMax } from "./charts";

describe("axisMax", () => {
  it("gives task counts an even top, so the middle label is a whole number", () => {
    // The dashboard e2e screenshot read "5 / 2.5 / 0" for a chart of 3 tasks.
    expect(axisMax([0, 0, 3])).toBe(4);
    expect(axisMax([])).toBe(2);
    expect(axisMax([0, 0])).toBe(2);
    expect(axisMax([1])).toBe(2);
    expect(axisMax([5])).toBe(6);
    expect(axisMax([9])).toBe(10);
    expect(axisMax([10])).toBe(10);
    expect(axisMax([11])).toBe(20);
    expect(axisMax([250])).toBe(500);
    for (let v = 0; v <= 1000; v++) {
      const max = axisMax([v]);
      expect(max, `top for ${v}`).toBeGreaterThanOrEqual(v);
      expect(Number.isInteger(max / 2), `middle for ${v}`).toBe(true);
    }
  });

  it("keeps 1, 2, 5 × 10^n for fractional values", () => {
    expect(axisMax([0.3])).toBe(0.5);
    expect(axisMax([2.5])).toBe(5);
    expect(axisMax([0.5, 0])).toBe(0.5);
  });
});

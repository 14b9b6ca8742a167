import { describe, expect, it } from "vitest";
import { jsonByteSize, jsonFits } from "./json.ts";

describe("jsonByteSize and jsonFits count UTF-8 bytes of the JSON", () => {
  it("counts 1, 2, 3 and 4-byte characters like TextEncoder does", () => {
    for (const v of [{ a: "plain" }, { a: "é" }, { a: "€uro" }, { a: "😀 emoji" }, { a: ["ж", "中", "𝄞"] }, "x".repeat(1000)]) {
      expect(jsonByteSize(v)).toBe(new TextEncoder().encode(JSON.stringify(v)).length);
    }
  });
  it("answers at the exact limit, including multi-byte text near it", () => {
    const v = { a: "€".repeat(100) }; // 300 bytes of euro signs + 8 bytes of JSON
    const size = jsonByteSize(v);
    expect(size).toBe(308);
    expect(jsonFits(v, size)).toBe(true);
    expect(jsonFits(v, size - 1)).toBe(false);
    expect(jsonFits({ a: "ascii" }, 13)).toBe(true); // {"a":"ascii"}
    expect(jsonFits({ a: "ascii" }, 12)).toBe(false);
  });
});

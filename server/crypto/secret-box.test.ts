import { describe, expect, it } from "vitest";
import { createSecretBox, maskSecret, SecretBoxError } from "./secret-box.ts";

const key = Buffer.alloc(32, 9).toString("base64");

describe("secret box (AES-256-GCM)", () => {
  it("round-trips and never stores the plaintext", () => {
    const box = createSecretBox(key);
    const sealed = box.seal("hooks.slack.com/services/T000/B000/XXXX");
    expect(sealed).not.toContain("XXXX");
    expect(sealed).toMatch(/^v1\./);
    expect(box.open(sealed)).toBe("hooks.slack.com/services/T000/B000/XXXX");
  });
  it("uses a fresh IV: the same secret seals differently", () => {
    const box = createSecretBox(key);
    expect(box.seal("s")).not.toBe(box.seal("s"));
  });
  it("refuses a tampered value and a wrong key", () => {
    const box = createSecretBox(key);
    const sealed = box.seal("top secret");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3], "base64url");
    flipped[0] ^= 1;
    expect(() => box.open([parts[0], parts[1], parts[2], flipped.toString("base64url")].join("."))).toThrow(SecretBoxError);
    expect(() => createSecretBox(Buffer.alloc(32, 1).toString("base64")).open(sealed)).toThrow(SecretBoxError);
  });
  it("rejects a key of the wrong size", () => {
    expect(() => createSecretBox(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });
  it("masks for display", () => {
    expect(maskSecret("abcdefgh1234")).toBe("••••1234");
    expect(maskSecret("abc")).toBe("••••");
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { authorize, type Actor } from "./actor.ts";
import { PERMISSIONS, ROLES, can, describePermission, type Permission } from "./roles.ts";

const actor = (role: Actor["role"]): Actor => ({ kind: "user", id: "u1", email: "u@example.test", name: "U", role });

function refusal(role: Actor["role"], permission: Permission): AppError {
  try {
    authorize(actor(role), permission);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`${role} was allowed to ${permission}`);
}

describe("authorize", () => {
  it("answers 401 without an actor", () => {
    expect(() => authorize(null, "process:read")).toThrow(expect.objectContaining({ code: "unauthorized", message: "sign in first" }));
  });

  it("refuses in plain English, naming the role and what it may not do", () => {
    expect(refusal("editor", "user:manage")).toMatchObject({ code: "forbidden", message: "your role (editor) may not manage users" });
    expect(refusal("viewer", "process:write")).toMatchObject({ code: "forbidden", message: "your role (viewer) may not change processes" });
    expect(refusal("viewer", "task:write").message).toBe("your role (viewer) may not create or change tasks");
    expect(refusal("editor", "channel:manage").message).toBe("your role (editor) may not manage alert channels");
    expect(refusal("viewer", "channel:read").message).toBe("your role (viewer) may not read alert channels");
  });

  it("every permission reads as a verb phrase, never as its key", () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      const phrase = describePermission(permission);
      expect(phrase, permission).toMatch(/^(read|change|manage|create|resend)\b[a-z A-Z]*$/);
      expect(phrase, permission).not.toContain(":");
      for (const role of ROLES) {
        if (!can(role, permission)) expect(refusal(role, permission).message).toBe(`your role (${role}) may not ${phrase}`);
        else expect(authorize(actor(role), permission).role).toBe(role);
      }
    }
  });
});

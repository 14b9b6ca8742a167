import type { Auth } from "../auth/auth.ts";
import type { Db } from "../db/client.ts";
import type { Role } from "../auth/roles.ts";
import { createOperator } from "../seed/seed.ts";

/**
 * Real sessions for tests: operators created in the test database and signed
 * in through better-auth itself; returns the Cookie header each one sends.
 */
export async function signedInCookies({ db, auth, roles, password = "test-password-123" }: { db: Db; auth: Auth; roles: Role[]; password?: string }): Promise<Record<Role, string>> {
  const out = {} as Record<Role, string>;
  for (const role of roles) {
    const email = `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@test.local`;
    await createOperator({ db, email, name: `${role} tester`, password, role });
    const res = await auth.api.signInEmail({ body: { email, password }, asResponse: true });
    const setCookie = res.headers.getSetCookie();
    if (!res.ok || setCookie.length === 0) throw new Error(`sign-in of ${role} failed: HTTP ${res.status}`);
    out[role] = setCookie.map((c) => c.split(";")[0]).join("; ");
  }
  return out;
}

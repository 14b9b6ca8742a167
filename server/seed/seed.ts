import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import { hashPassword } from "../auth/password.ts";
import type { Role } from "../auth/roles.ts";
import { createProcess, publishProcess } from "../processes/process-service.ts";
import { DEMO_PARAMS, demoScheme } from "./demo-process.ts";
import { installAwsSecurityPack } from "../../templates/install.ts";

/** Creates an operator with an e-mail/password login (better-auth's credential account). */
export async function createOperator({ db, email, name, password, role }: { db: Db; email: string; name: string; password: string; role: Role }): Promise<{ id: string }> {
  const id = randomUUID();
  const hash = await hashPassword(password);
  await db.user.create({
    data: { id, email: email.toLowerCase(), name, role, emailVerified: true, accounts: { create: { id: randomUUID(), accountId: id, providerId: "credential", password: hash } } },
  });
  return { id };
}

/** A readable random password: 20 characters from an unambiguous alphabet. */
export function generatePassword(length = 20): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/**
 * First start only: the first admin login and the demo process. Returns what
 * was created so the caller can print the login once.
 */
export async function seedFirstRun({ db, adminEmail, adminPassword }: { db: Db; adminEmail: string; adminPassword?: string }): Promise<{ admin?: { email: string; password: string }; demoProcessId?: number; packProcessIds?: number[] }> {
  const out: { admin?: { email: string; password: string }; demoProcessId?: number; packProcessIds?: number[] } = {};
  if ((await db.user.count()) === 0) {
    const password = adminPassword ?? generatePassword();
    await createOperator({ db, email: adminEmail, name: "Administrator", password, role: "admin" });
    out.admin = { email: adminEmail, password };
  }
  if ((await db.process.count()) === 0) {
    const folder = await db.folder.create({ data: { name: "Demo" }, select: { id: true } });
    const { id } = await createProcess({ db, title: "Demo: console sign-in router", description: "Walking skeleton: routes CloudTrail events by eventType", folderId: folder.id, scheme: demoScheme(), params: DEMO_PARAMS });
    await publishProcess({ db, processId: id });
    out.demoProcessId = id;
    out.packProcessIds = (await installAwsSecurityPack({ db })).processes.map((p) => p.id);
  }
  return out;
}

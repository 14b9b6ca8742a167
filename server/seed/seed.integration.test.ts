import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../auth/password.ts";
import { createDb, type Db } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { recreateDatabase } from "../testing/global-setup.ts";
import { testUrls, withDatabaseName } from "../testing/test-env.ts";
import { PACK_FOLDER } from "../../templates/aws-security-pack.ts";
import { seedFirstRun } from "./seed.ts";

/**
 * seedFirstRun (what `npm run up` does on first start) on an empty database of
 * its own — conveyor_test is shared with other test files — and again on the
 * seeded one.
 */
const url = withDatabaseName(testUrls().databaseUrl, `conveyor_test_seed_${process.pid}`);
let db: Db;

beforeAll(async () => {
  await recreateDatabase(url);
  await applyMigrations({ databaseUrl: url, dir: path.resolve(import.meta.dirname, "../../prisma/migrations") });
  db = createDb({ databaseUrl: url, poolSize: 2 });
});
afterAll(async () => {
  await db?.$disconnect();
  const admin = new pg.Client({ connectionString: withDatabaseName(url, "postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
});

const snapshot = async () => ({
  users: await db.user.findMany({ select: { id: true, email: true, role: true }, orderBy: { id: "asc" } }),
  accounts: await db.account.count(),
  folders: await db.folder.findMany({ select: { id: true, name: true }, orderBy: { id: "asc" } }),
  processes: await db.process.findMany({ select: { id: true, title: true, folderId: true, publishedVersionId: true }, orderBy: { id: "asc" } }),
  versions: await db.processVersion.count(),
});

describe("seedFirstRun", () => {
  it("on an empty database: the admin, the demo process and the AWS security pack, all published", async () => {
    const out = await seedFirstRun({ db, adminEmail: "Admin@Conveyor.Local" });
    expect(out.admin?.email).toBe("Admin@Conveyor.Local");
    expect(out.admin?.password).toMatch(/^[A-Za-z2-9]{20}$/);

    const s = await snapshot();
    expect(s.users).toEqual([{ id: expect.any(String), email: "admin@conveyor.local", role: "admin" }]);
    const account = await db.account.findFirstOrThrow({ where: { userId: s.users[0].id, providerId: "credential" } });
    expect(await verifyPassword({ hash: account.password!, password: out.admin!.password })).toBe(true);

    expect(s.folders.map((f) => f.name)).toEqual(["Demo", PACK_FOLDER]);
    expect(s.processes.map((p) => p.title)).toEqual(["Demo: console sign-in router", "AWS · 01 Event router", "AWS · 02 Non-API checks", "AWS · 03 API checks", "AWS · 04 Sign-in failure window"]);
    expect(s.processes.every((p) => p.publishedVersionId !== null)).toBe(true);
    expect(s.processes[0]).toMatchObject({ id: out.demoProcessId, folderId: s.folders[0].id });
    expect(out.packProcessIds).toEqual(s.processes.slice(1).map((p) => p.id));
    expect(s.processes.slice(1).every((p) => p.folderId === s.folders[1].id)).toBe(true);
  });

  it("a second run creates nothing new", async () => {
    const before = await snapshot();
    expect(await seedFirstRun({ db, adminEmail: "admin@conveyor.local" })).toEqual({});
    expect(await seedFirstRun({ db, adminEmail: "someone-else@conveyor.local", adminPassword: "another-password-123" })).toEqual({});
    expect(await snapshot()).toEqual(before);
  });
});

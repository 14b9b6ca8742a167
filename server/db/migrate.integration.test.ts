import { createHash } from "node:crypto";
import { mkdtemp, mkdir, writeFile, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, listMigrations, MigrationError } from "./migrate.ts";
import { recreateDatabase } from "../testing/global-setup.ts";
import { testUrls, withDatabaseName } from "../testing/test-env.ts";

const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");
const url = withDatabaseName(testUrls().databaseUrl, "conveyor_test_migrate");

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("migration runner (real PostgreSQL, fresh database)", () => {
  beforeEach(async () => {
    await recreateDatabase(url);
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: withDatabaseName(url, "postgres") });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS conveyor_test_migrate WITH (FORCE)`);
    await admin.end();
  });

  it("applies every migration to an empty database and records it as Prisma does", async () => {
    const files = await listMigrations(migrationsDir);
    expect(files.length).toBeGreaterThan(0);
    const res = await applyMigrations({ databaseUrl: url, dir: migrationsDir });
    expect(res.applied).toEqual(files.map((f) => f.name));

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, r] of rows.entries()) {
      expect(r.checksum).toBe(files[i].checksum);
      expect(r.finished_at).not.toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    // The schema really exists, including the hand-written partial index.
    const idx = await query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'task_live_ref_key'`);
    expect(idx[0]?.indexdef).toMatch(/WHERE .*status.*<> 'finished'/);
  });

  it("is a no-op the second time", async () => {
    await applyMigrations({ databaseUrl: url, dir: migrationsDir });
    const before = await query<{ id: string; finished_at: Date }>(`SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id`);
    const again = await applyMigrations({ databaseUrl: url, dir: migrationsDir });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBe(before.length);
    const after = await query<{ id: string; finished_at: Date }>(`SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id`);
    expect(after).toEqual(before);
  });

  it("applies each migration once when two runners start together", async () => {
    const [a, b] = await Promise.all([applyMigrations({ databaseUrl: url, dir: migrationsDir }), applyMigrations({ databaseUrl: url, dir: migrationsDir })]);
    expect(a.applied.length + b.applied.length).toBe((await listMigrations(migrationsDir)).length);
    const rows = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0].n).toBe((await listMigrations(migrationsDir)).length);
  });

  it("records a failing migration, rolls it back, and refuses to continue until it is resolved", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "conveyor-mig-"));
    await cp(migrationsDir, dir, { recursive: true });
    await mkdir(path.join(dir, "29991231000000_broken"));
    const broken = "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n";
    await writeFile(path.join(dir, "29991231000000_broken", "migration.sql"), broken);

    await expect(applyMigrations({ databaseUrl: url, dir })).rejects.toThrow(/29991231000000_broken failed: .*no_such_table/);
    const rows = await query<{ finished_at: Date | null; logs: string; checksum: string }>(`SELECT finished_at, logs, checksum FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`);
    expect(rows[0].finished_at).toBeNull();
    expect(rows[0].logs).toMatch(/no_such_table/);
    expect(rows[0].checksum).toBe(createHash("sha256").update(broken).digest("hex"));
    // Its transaction rolled back: no half-applied table.
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`)).toHaveLength(0);
    await expect(applyMigrations({ databaseUrl: url, dir })).rejects.toBeInstanceOf(MigrationError);
  });
});

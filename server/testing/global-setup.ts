import path from "node:path";
import pg from "pg";
import { applyMigrations } from "../db/migrate.ts";
import { testEnv, testUrls, withDatabaseName } from "./test-env.ts";

/**
 * Vitest global setup for integration tests: a fresh `conveyor_test` database
 * with all migrations, and the test environment exported to every test file.
 */
export default async function setup(): Promise<void> {
  const { databaseUrl } = testUrls();
  await recreateDatabase(databaseUrl);
  await applyMigrations({ databaseUrl, dir: path.resolve(import.meta.dirname, "../../prisma/migrations") });
  Object.assign(process.env, testEnv());
}

export async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: withDatabaseName(url, "postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

// npm run db:migrate — applies pending migrations to DATABASE_URL (from the
// environment or .env), creating the database first if the server lacks it.
import path from "node:path";
import { applyMigrations } from "../server/db/migrate.ts";
import { readEnvFile } from "./lib/env-file.ts";
import { ensureDatabase } from "./lib/services.ts";

const root = path.resolve(import.meta.dirname, "..");
const url = process.env.DATABASE_URL || readEnvFile(path.join(root, ".env")).DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is missing: set it in the environment or .env (see .env.example)");
  process.exit(1);
}
try {
  if (await ensureDatabase(url)) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  const res = await applyMigrations({ databaseUrl: url, dir: path.join(root, "prisma/migrations"), log: (l) => console.log(l) });
  console.log(res.applied.length ? `applied ${res.applied.length} migration(s)` : "database schema is up to date");
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exit(1);
}

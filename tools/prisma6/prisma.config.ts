// Prisma 6's experimental JS schema engine, driven through the pg adapter, so
// `prisma migrate diff` works without the downloadable native engine.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

const u = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
const cfg = { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) };

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPg(cfg),
  schema: "schema.prisma",
  migrations: { path: "../../prisma/migrations" },
});

import { mkdtempSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverPostgres, discoverRedis, ensureDatabase, postgresAnswers, PRIVATE_PG_PORT, PRIVATE_REDIS_PORT, redisAnswers, stopPrivatePostgres, stopPrivateRedis } from "./services.ts";
import { testUrls } from "../../server/testing/test-env.ts";

/**
 * `npm run up` service discovery: the configured URL if it answers, else the
 * default, else a private instance started from the installed binaries.
 * Here neither the configured nor the fallback URL answers (closed ports), so
 * private PostgreSQL and Redis really start under a temporary data folder.
 */
const dataRoot = mkdtempSync(path.join(os.tmpdir(), "conveyor-up-"));
chmodSync(dataRoot, 0o755); // PostgreSQL runs as the postgres user when we are root
const lines: string[] = [];
const log = (s: string) => lines.push(s);

afterAll(async () => {
  stopPrivatePostgres(dataRoot);
  await stopPrivateRedis();
});

describe("service discovery for npm run up", () => {
  it("uses the configured URLs when they answer", async () => {
    const { databaseUrl, redisUrl } = testUrls();
    expect(await discoverPostgres({ configured: databaseUrl, dataRoot, log })).toBe(databaseUrl);
    expect(await discoverRedis({ configured: redisUrl, dataRoot, log })).toBe(redisUrl);
  });

  it("starts a private Redis when neither the configured nor the default one answers", async () => {
    const url = await discoverRedis({ configured: "redis://127.0.0.1:1/0", fallback: "redis://127.0.0.1:2/0", dataRoot, log });
    expect(url).toBe(`redis://127.0.0.1:${PRIVATE_REDIS_PORT}/0`);
    expect(await redisAnswers(url)).toBe(true);
    expect(lines).toContain("starting a private Redis under .data/redis");
  });

  it("starts a private PostgreSQL (initdb on first use) and can create the database", async () => {
    const url = await discoverPostgres({ configured: "postgresql://postgres@127.0.0.1:1/conveyor", fallback: "postgresql://postgres@127.0.0.1:2/conveyor", dataRoot, log });
    expect(url).toBe(`postgresql://postgres@127.0.0.1:${PRIVATE_PG_PORT}/conveyor`);
    expect(await postgresAnswers(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    // A second start finds it running and reuses it.
    expect(await discoverPostgres({ configured: "postgresql://postgres@127.0.0.1:1/conveyor", fallback: "postgresql://postgres@127.0.0.1:2/conveyor", dataRoot, log })).toBe(url);
  });
});

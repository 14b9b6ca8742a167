// The ingestion phase of `npm run bench`: records/s accepted through the real
// HTTP endpoint (next start, production build) for 1,000-record gzip log
// files posted by concurrent senders: the files as CloudTrail writes them to
// S3, which any client may post (the AWS forwarder itself posts JSON arrays of
// up to CONVEYOR_BATCH_SIZE = 500 records).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createDb } from "../server/db/client.ts";
import { createSecretBox } from "../server/crypto/secret-box.ts";
import { createSource } from "../server/ingest/sources.ts";

const root = path.resolve(import.meta.dirname, "..");
const samples = path.resolve(root, "../shared/cloudtrail-samples");

export async function benchIngest({ env, processId, files = 60, senders = 4, port = 3199 }: { env: Record<string, string>; processId: number; files?: number; senders?: number; port?: number }) {
  if (!existsSync(path.join(root, ".next/BUILD_ID"))) {
    console.log("bench: building the web app for the ingestion phase (next build)");
    const b = spawnSync(path.join(root, "node_modules/.bin/next"), ["build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const db = createDb({ databaseUrl: env.DATABASE_URL, poolSize: 2 });
  const source = await createSource({ db, box: createSecretBox(env.ENCRYPTION_KEY), name: "bench", processId, authType: "bearer" });
  const web = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root, stdio: "ignore", env: { ...process.env, ...env, NODE_ENV: "production", PORT: String(port), APP_URL: `http://127.0.0.1:${port}` } as NodeJS.ProcessEnv,
  });
  try {
    const url = `http://127.0.0.1:${port}/api/ingest/cloudtrail/${source.id}`;
    for (let i = 0; i < 200; i++) {
      if (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status < 600).catch(() => false)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // 1,000 records per file, built from the real samples with fresh eventIDs.
    const base = ["218007301253_CloudTrail_us-east-1_20230710T1205Z_SjF3IkuNXJkoHyar.json", "218007301253_CloudTrail_us-east-1_20230710T1215Z_P0WZuP2zvLW2RcUo.json", "218007301253_CloudTrail_us-east-1_20230710T1225Z_4iD2boYSOwmb6sWd.json"]
      .flatMap((f) => (JSON.parse(readFileSync(path.join(samples, f), "utf8")) as { Records: Array<Record<string, unknown>> }).Records);
    const bodies = Array.from({ length: files }, (_, f) => gzipSync(JSON.stringify({ Records: Array.from({ length: 1000 }, (_, i) => ({ ...base[(f * 1000 + i) % base.length], eventID: `bench-${f}-${i}` })) })));
    const rawBytes = bodies.reduce((n, b) => n + b.length, 0);
    // Warm up the route (first request compiles nothing in production, but opens pools).
    await fetch(url, { method: "POST", headers: { authorization: `Bearer ${source.credential}`, "content-type": "application/json" }, body: "[]" });
    let next = 0;
    let accepted = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: senders }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const s = performance.now();
        const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${source.credential}`, "content-type": "application/json", "content-encoding": "gzip" }, body: new Uint8Array(body) });
        const json = (await res.json()) as { accepted?: number };
        if (!res.ok) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
        accepted += json.accepted ?? 0;
        latencies.push(performance.now() - s);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      files, senders, records: files * 1000, accepted, seconds, rate: accepted / seconds,
      gzipMbPerFile: rawBytes / files / 1e6, p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)],
    };
  } finally {
    web.kill("SIGTERM");
    await db.$disconnect();
  }
}

// npm run bench — end-to-end throughput on the real PostgreSQL and Redis.
//
//   router:     Start ─▶ route ─(eventType == AwsApiCall)─▶ copy to classifier ─▶ routed
//                          └─(else)─▶ copy to classifier ─▶ routed
//   classifier: Start ─▶ classify ─(eventName in the alarm list)─▶ notify ─▶ alerted
//                            └─(else)─▶ ignored
//
// CloudTrail-shaped tasks are created in batches of 1,000 (one multi-row
// INSERT + addBulk, as ingestion does) and moved by real worker processes.
// Reports events/s end to end, p50/p99 from task creation to the notify's
// alert row (the notify's outbox, written in the step's transaction), and the
// rate of no-op BullMQ jobs on the same Redis as a baseline. Uses its own database (conveyor_bench) and Redis database 3.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { applyMigrations } from "../server/db/migrate.ts";
import { createDb } from "../server/db/client.ts";
import { createPool } from "../server/db/pool.ts";
import { createProcess, publishProcess } from "../server/processes/process-service.ts";
import { createSinkChannel } from "../server/alerts/testing/sink-channel.ts";
import { benchAlerts, printAlertBench } from "./bench-alerts.ts";
import { createTasks } from "../server/tasks/create-tasks.ts";
import { recreateDatabase } from "../server/testing/global-setup.ts";
import { testEnv, testUrls, withDatabaseName } from "../server/testing/test-env.ts";
import { createProducer } from "../workers/queues.ts";
import { noopJobRate } from "../workers/noop-baseline.ts";
import { benchIngest } from "./bench-ingest.ts";
import { workerArgs } from "../workers/node-args.ts";

const root = path.resolve(import.meta.dirname, "..");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
/**
 * By default the timed phase measures the engine as the issue defines it, up to the notify's
 * alert row: its workers consume steps, effects and maintenance (WORKER_QUEUES), and
 * BENCH_ALERT_WORKERS alert-only workers start after it and deliver the backlog (timed too).
 * BENCH_DELIVER_DURING=1: the workers consume every queue from the start, delivering alerts
 * while they step (plus BENCH_ALERT_WORKERS alert-only workers from the start, default 0).
 */
const DELIVER_DURING = Boolean(process.env.BENCH_DELIVER_DURING);
const ALERT_WORKERS = Number(process.env.BENCH_ALERT_WORKERS ?? (DELIVER_DURING ? 0 : 1));
const CONCURRENCY = process.env.BENCH_CONCURRENCY ?? "64";

const { databaseUrl, redisUrl } = testUrls();
const env = { ...testEnv(), DATABASE_URL: withDatabaseName(databaseUrl, "conveyor_bench"), REDIS_URL: redisUrl.replace(/\/\d+$/, "/3"), QUEUE_PREFIX: "conveyor-bench", LOG_LEVEL: "warn", WORKER_CONCURRENCY: CONCURRENCY, HTTP_ALLOW_PRIVATE: "true" };

const ALARMS = ["CreateTrail", "StopLogging", "DeleteTrail", "AuthorizeSecurityGroupIngress", "CreateRole", "DeleteFlowLogs", "ConsoleLogin"];

function schemes(classifierId: number) {
  const extra = (icon = "") => JSON.stringify({ modeForm: "expand", icon });
  const final = (id: string, icon = "success") => ({ id, obj_type: 2, title: id, description: "", x: 0, y: 0, extra: extra(icon), condition: { logics: [], semaphors: [] } });
  const copy = (id: string) => ({ id, obj_type: 0, title: id, description: "", x: 0, y: 0, extra: extra(), condition: { logics: [{ type: "api_copy", mode: "create", conv_id: classifierId, ref: "{{eventID}}", group: "all", data: {}, data_type: {}, err_node_id: "copyFailed" }, { type: "go", to_node_id: "routed" }], semaphors: [] } });
  const router = { nodes: [
    { id: "start", obj_type: 1, title: "Start", description: "", x: 0, y: 0, extra: extra(), condition: { logics: [{ type: "go", to_node_id: "route" }], semaphors: [] } },
    { id: "route", obj_type: 0, title: "route", description: "", x: 0, y: 0, extra: extra(), condition: { logics: [{ type: "go_if_const", to_node_id: "api", conditions: [{ param: "eventType", const: "AwsApiCall", fun: "eq", cast: "string" }] }, { type: "go", to_node_id: "nonApi" }], semaphors: [] } },
    copy("api"), copy("nonApi"), final("routed"), final("copyFailed", "error"),
  ] };
  const classifier = { nodes: [
    { id: "start", obj_type: 1, title: "Start", description: "", x: 0, y: 0, extra: extra(), condition: { logics: [{ type: "go", to_node_id: "classify" }], semaphors: [] } },
    { id: "classify", obj_type: 0, title: "classify", description: "", x: 0, y: 0, extra: extra(), condition: { logics: [
      ...ALARMS.map((a) => ({ type: "go_if_const", to_node_id: "alert", conditions: [{ param: "eventName", const: a, fun: "eq", cast: "string" }] })),
      { type: "go", to_node_id: "ignored" },
    ], semaphors: [] } },
    { id: "alert", obj_type: 0, title: "alert", description: "", x: 0, y: 0, extra: extra(), condition: { logics: [
      { type: "notify", channel: "security", severity: "high", title: "{{eventName}} in {{recipientAccountId}}", message: "{{userIdentity.arn}} called {{eventName}} from {{sourceIPAddress}}", err_node_id: "ignored" },
      { type: "go", to_node_id: "alerted" },
    ], semaphors: [] } },
    final("alerted"), final("ignored"),
  ] };
  return { router, classifier };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 when unknown. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** CPU used by the workers, their PostgreSQL backends and Redis: a measure other load on the machine does not skew. */
async function cpuSnapshot(pool: ReturnType<typeof createPool>, redis: Redis, workers: ChildProcess[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!existsSync("/proc/self/stat")) return out;
  const { rows } = await pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1] ?? 0);
  for (const w of workers) out.set(`worker:${w.pid}`, cpuSeconds(w.pid!));
  for (const r of rows) out.set(`postgres:${r.pid}`, cpuSeconds(r.pid));
  if (redisPid) out.set(`redis:${redisPid}`, cpuSeconds(redisPid));
  return out;
}

/** CPU ms per event by kind of process between two snapshots (a backend that appeared in between counts from 0). */
function cpuPerEvent(before: Map<string, number>, after: Map<string, number>, events: number): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [k, v] of after) {
    const kind = k.split(":")[0];
    sums[kind] = (sums[kind] ?? 0) + (v - (before.get(k) ?? 0));
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, (v * 1e6) / events]));
}

/**
 * The number of notify alert rows, polled every 50 ms without counting the whole table each
 * time (a full count of 30,000+ rows, 20 times a second, took a tenth of PostgreSQL's CPU
 * away from the workers): rows above a watermark are counted on each poll, and the watermark
 * moves up to the highest id seen at least a second before (a transaction may commit a lower
 * id later). It never counts a row twice, so it can only lag; a full count once a second
 * catches a row committed behind the watermark.
 */
function notifyCounter(pool: ReturnType<typeof createPool>): () => Promise<number> {
  let mark = 0;
  let below = 0; // notify rows with id <= mark
  let polls = 0;
  const seen: Array<{ at: number; maxId: number }> = [];
  return async () => {
    if (++polls % 20 === 0) {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert WHERE kind = 'notify'");
      return rows[0].n;
    }
    const now = performance.now();
    while (seen.length > 0 && now - seen[0].at >= 1000) {
      const { maxId } = seen.shift()!;
      if (maxId <= mark) continue;
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert WHERE id > $1 AND id <= $2 AND kind = 'notify'", [mark, maxId]);
      below += rows[0].n;
      mark = maxId;
    }
    const { rows } = await pool.query<{ n: number; max: number | null }>("SELECT count(*) FILTER (WHERE kind = 'notify')::int AS n, max(id)::float8 AS max FROM alert WHERE id > $1", [mark]);
    if (rows[0].max !== null) seen.push({ at: now, maxId: rows[0].max });
    return below + rows[0].n;
  };
}

function event(i: number, tag = "bench") {
  return {
    eventVersion: "1.08", eventID: `${tag}-${i}-${Math.random().toString(36).slice(2)}`, eventTime: new Date().toISOString(), eventSource: "cloudtrail.amazonaws.com",
    eventName: ALARMS[i % ALARMS.length], eventType: i % 5 === 0 ? "AwsConsoleSignIn" : "AwsApiCall", awsRegion: "us-east-1", sourceIPAddress: "203.0.113.7",
    recipientAccountId: "218007301253", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::218007301253:user/alice", accountId: "218007301253", userName: "alice" },
    requestParameters: { name: "trail" }, responseElements: null,
  };
}

async function main() {
  console.log(`bench: ${EVENTS} events, ${WORKERS} worker process(es), concurrency ${CONCURRENCY} each`);
  await recreateDatabase(env.DATABASE_URL);
  await applyMigrations({ databaseUrl: env.DATABASE_URL, dir: path.join(root, "prisma/migrations") });
  const redis = new Redis(env.REDIS_URL);
  await redis.flushdb();
  const db = createDb({ databaseUrl: env.DATABASE_URL, poolSize: 4 });
  const pool = createPool({ databaseUrl: env.DATABASE_URL, max: 4 });
  // The classifier's notify needs its channel (else it takes its error exit): a webhook to a local sink, so alerts are delivered too.
  const alertSink = await createSinkChannel({ db, encryptionKey: testEnv().ENCRYPTION_KEY, name: "security" });
  const classifier = await createProcess({ db, title: "bench classifier", scheme: { nodes: [] } });
  const s = schemes(classifier.id);
  await db.process.update({ where: { id: classifier.id }, data: { draft: s.classifier } });
  await publishProcess({ db, processId: classifier.id });
  const router = await createProcess({ db, title: "bench router", scheme: s.router });
  await publishProcess({ db, processId: router.id });

  const children: ChildProcess[] = [];
  const spawnWorker = (queues?: string) => spawn(process.execPath, workerArgs(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : []), {
    cwd: root, env: { ...process.env, ...env, ...(queues ? { WORKER_QUEUES: queues } : {}) } as NodeJS.ProcessEnv, stdio: "inherit",
  });
  const waitForWorkers = async (n: number) => {
    while ((await redis.keys(`${env.QUEUE_PREFIX}:worker:heartbeat:*`)).length < n) await new Promise((r) => setTimeout(r, 100));
  };
  const startAlertWorkers = () => {
    for (let i = 0; i < ALERT_WORKERS; i++) children.push(spawnWorker("alerts"));
  };
  for (let i = 0; i < WORKERS; i++) children.push(spawnWorker(DELIVER_DURING && ALERT_WORKERS === 0 ? undefined : "steps,effects,maintenance"));
  if (DELIVER_DURING) {
    startAlertWorkers();
    console.log(`  workers deliver alerts during the timed phase${ALERT_WORKERS ? `, plus ${ALERT_WORKERS} alert-only worker process(es) (WORKER_QUEUES=alerts)` : ""}`);
  } else {
    console.log(`  workers: WORKER_QUEUES=steps,effects,maintenance; ${ALERT_WORKERS} alert-only worker process(es) start after the timed phase`);
  }
  await waitForWorkers(children.length);
  const producer = createProducer({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX });
  const expectedAlerts = Array.from({ length: EVENTS }, (_, i) => i).length; // every bench event matches an alarm rule

  const cpu0 = await cpuSnapshot(pool, redis, children);
  const driver0 = process.cpuUsage();
  const t0 = performance.now();
  const feeder = (async () => {
    for (let i = 0; i < EVENTS; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, EVENTS - i) }, (_, k) => event(i + k));
      const res = await createTasks({ pool, processId: router.id, tasks: batch.map((e) => ({ ref: e.eventID, data: e })), taskSizeLimit: 1_048_576 });
      await producer.enqueueEnter(res.jobs, 1000);
    }
  })();
  const notifyRows = notifyCounter(pool);
  for (;;) {
    if ((await notifyRows()) >= expectedAlerts) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await feeder;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuPerEvent(cpu0, await cpuSnapshot(pool, redis, children), EVENTS);
  const driverUsage = process.cpuUsage(driver0);
  const driverCpu = (driverUsage.user + driverUsage.system) / EVENTS; // µs per event: creating the tasks, enqueueing them, polling
  const { rows: [sentDuring] } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert WHERE status = 'sent'");
  // The alert backlog of the timed phase, delivered by the alert-only workers (started now, unless they ran all along).
  let drain: { seconds: number; sent: number } | null = null;
  if (!DELIVER_DURING && ALERT_WORKERS > 0) {
    startAlertWorkers();
    await waitForWorkers(children.length);
    const d0 = performance.now();
    let sent = 0;
    while (performance.now() - d0 < 300_000) {
      sent = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert WHERE status = 'sent'")).rows[0].n;
      if (sent >= expectedAlerts) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    drain = { seconds: (performance.now() - d0) / 1000, sent };
  }
  const latency = async (tag: string) => {
    const { rows } = await pool.query<{ p50: number; p99: number; max: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms)::float8 AS max
       FROM (SELECT (EXTRACT(EPOCH FROM (a.notified_at - r.created_at)) * 1000)::float8 AS ms
             FROM alert a JOIN task c ON c.id = a.task_id JOIN task r ON r.process_id = $1 AND r.ref = c.data->>'copy_ref_id'
             WHERE r.ref LIKE $2) x`,
      [router.id, `${tag}-%`],
    );
    return rows[0];
  };
  const lat = await latency("bench");

  // Paced phase: a steady offered load below saturation, to see latency rather than queueing.
  const RATE = Number(process.env.BENCH_RATE ?? 1500);
  const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);
  const perTick = Math.round(RATE / 10);
  const pacedStart = performance.now();
  for (let tick = 0; tick < PACED_SECONDS * 10; tick++) {
    const batch = Array.from({ length: perTick }, (_, k) => event(tick * perTick + k, "paced"));
    const res = await createTasks({ pool, processId: router.id, tasks: batch.map((e) => ({ ref: e.eventID, data: e })), taskSizeLimit: 1_048_576 });
    await producer.enqueueEnter(res.jobs, 1000);
    const wait = pacedStart + (tick + 1) * 100 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const pacedTotal = perTick * PACED_SECONDS * 10;
  for (;;) {
    if ((await notifyRows()) >= expectedAlerts + pacedTotal) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const paced = await latency("paced");
  // The no-op baseline needs the machine to itself: wait until the workers have stopped (they finish their jobs first).
  const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r()))));
  for (const c of children) c.kill("SIGTERM");
  const forceKill = setTimeout(() => children.forEach((c) => c.kill("SIGKILL")), 60_000);
  await Promise.all(exited);
  clearTimeout(forceKill);
  await producer.close();

  const noop = await noopJobRate({ redisUrl: env.REDIS_URL, jobs: 20_000 });
  // Ingestion, with the workers stopped: what the HTTP endpoint accepts.
  const ingest = process.env.BENCH_SKIP_INGEST ? null : await benchIngest({ env, processId: router.id });
  await alertSink.close();
  // Alert delivery, on its own database and workers.
  const alerts = process.env.BENCH_SKIP_ALERTS ? null : await benchAlerts({ workers: WORKERS });
  const rate = EVENTS / seconds;
  console.log("");
  console.log(`events end to end:       ${EVENTS} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s (target ≥ 1,500)`);
  console.log(`  create → alert row at saturation (queueing included): p50 ${lat.p50.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms`);
  console.log(`  alerts delivered by the end of the timed phase: ${sentDuring.n} of ${EVENTS}${DELIVER_DURING ? "" : " (its workers do not deliver alerts; BENCH_DELIVER_DURING=1 makes them)"}`);
  if (drain) console.log(`  then ${ALERT_WORKERS} alert-only worker(s) delivered the backlog: ${drain.sent} alerts in ${drain.seconds.toFixed(2)} s = ${(drain.sent / drain.seconds).toFixed(0)} alerts/s (worker start-up included)`);
  if (Object.keys(cpu).length) console.log(`  CPU per event: ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(0)} µs`).join(", ")} (the timed phase's workers, their PostgreSQL backends, Redis); the driver ${driverCpu.toFixed(0)} µs`);
  console.log(`paced ${RATE} events/s for ${PACED_SECONDS} s: create → alert row p50 ${paced.p50.toFixed(0)} ms, p99 ${paced.p99.toFixed(0)} ms, max ${paced.max.toFixed(0)} ms`);
  console.log(`no-op BullMQ baseline:   ${noop.toFixed(0)} jobs/s (concurrency 50, same Redis)`);
  console.log(`ratio:                   ${(rate / noop).toFixed(2)} of the no-op job rate (target ≥ 0.25)`);
  if (ingest) {
    console.log(`ingestion over HTTP:     ${ingest.accepted} records in ${ingest.files} gzip files of 1,000 (${ingest.gzipMbPerFile.toFixed(2)} MB each), ${ingest.senders} senders: ${ingest.rate.toFixed(0)} records/s (target ≥ 10,000); per file p50 ${ingest.p50.toFixed(0)} ms, p99 ${ingest.p99.toFixed(0)} ms`);
  }
  if (alerts) printAlertBench(alerts);
  redis.disconnect();
  await db.$disconnect();
  await pool.end();
}

await main();
process.exit(0);

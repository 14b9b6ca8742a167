import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, when } from "../../engine/testing/builders.ts";
import { readNodeCounts, rebuildAllNodeCounts } from "../tasks/node-counters.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";
import { runRetention, setRetentionPolicy } from "./retention.ts";

/**
 * Retention deletes finished tasks older than a process's policy allows, with
 * their history and ingestion eventIDs, and keeps every counter total: Redis
 * is untouched and a rebuild from PostgreSQL gives the same numbers.
 *
 *   Start ─▶ route ─(kind == bad)─▶ failed (error final)
 *              ├─(kind == wait)─▶ parked (Delay 1 h)
 *              └──────────────────▶ done (success final)
 */
let h: Harness;
let pid: number;
let archiveDir: string;
const DAY = 86_400_000;

const scheme = () => buildScheme(
  startNode("s", "route"),
  logicNode("route", [when("failed", ["kind", "eq", "bad"]), when("parked", ["kind", "eq", "wait"]), go("done")]),
  logicNode("parked", [], [{ type: "time", value: 3600, dimension: "sec", to_node_id: "done" }]),
  finalNode("done"),
  finalNode("failed", "error"),
);

beforeAll(async () => {
  h = await createHarness();
  archiveDir = await mkdtemp(path.join(tmpdir(), "conveyor-archive-"));
});
afterAll(async () => {
  await h?.close();
  await rm(archiveDir, { recursive: true, force: true });
});

async function runTasks(processId: number, kinds: string[]): Promise<string[]> {
  const ids = await h.submit(processId, kinds.map((kind, i) => ({ ref: `r-${kind}-${i}`, data: { kind } })));
  await h.waitFor("tasks to settle", () => h.db.task.findMany({ where: { id: { in: ids } }, select: { status: true } }), (ts) => ts.length === ids.length && ts.every((t) => t.status !== "active"));
  // Counters are applied after the commit: wait until they account for every task.
  await h.waitFor("counters", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId }), (c) => Object.values(c).reduce((a, b) => a + b, 0) === ids.length);
  return ids;
}

const ageTasks = (ids: string[], ms: number) => h.pool.query("UPDATE task SET finished_at = now() - make_interval(secs => $2::float8) WHERE id = ANY($1::uuid[])", [ids, ms / 1000]);

describe("retention", () => {
  it("deletes finished tasks older than the policy, their history and eventIDs; final totals stay, in Redis and rebuilt", async () => {
    pid = await h.publish(scheme(), { title: "retention" });
    const ids = await runTasks(pid, ["ok", "ok", "ok", "bad", "bad", "wait", "ok"]);
    const tasks = await h.db.task.findMany({ where: { id: { in: ids } }, select: { id: true, nodeId: true, status: true } });
    const done = tasks.filter((t) => t.nodeId === "done").map((t) => t.id);
    const failed = tasks.filter((t) => t.nodeId === "failed").map((t) => t.id);
    const parked = tasks.filter((t) => t.nodeId === "parked").map((t) => t.id);
    expect([done.length, failed.length, parked.length]).toEqual([4, 2, 1]);
    // Three successes and one error finished two days ago; the rest just now.
    const old = [...done.slice(0, 3), failed[0]];
    await ageTasks(old, 2 * DAY);
    await h.pool.query(
      "INSERT INTO ingest_event (process_id, event_id, received_at) VALUES ($1, 'old-event', now() - interval '2 days'), ($1, 'new-event', now())",
      [pid],
    );
    const prefix = h.config.QUEUE_PREFIX;
    const before = await readNodeCounts({ redis: h.redis, prefix, processId: pid });
    expect(before).toMatchObject({ done: 4, failed: 2, parked: 1 });

    await setRetentionPolicy({ db: h.db, processId: pid, input: { keepFinishedSec: 86_400, archive: false, enabled: true }, actorId: null });
    const res = await runRetention({ pool: h.pool, settings: { defaultKeepSec: 0, counterHistoryDays: 30, archiveDir } });

    expect(res.processes.find((p) => p.processId === pid)).toMatchObject({ purged: 4, ingestEvents: 1 });
    const left = await h.db.task.findMany({ where: { processId: pid }, select: { id: true } });
    expect(left.map((t) => t.id).sort()).toEqual(ids.filter((id) => !old.includes(id)).sort());
    expect(await h.db.taskHistory.count({ where: { taskId: { in: old } } })).toBe(0);
    expect(await h.db.taskHistory.count({ where: { taskId: { in: left.map((t) => t.id) } } })).toBeGreaterThan(0);
    expect((await h.db.ingestEvent.findMany({ where: { processId: pid } })).map((e) => e.eventId)).toEqual(["new-event"]);

    // Totals unchanged: Redis was not touched, and a rebuild from PostgreSQL adds the purged totals back.
    expect(await readNodeCounts({ redis: h.redis, prefix, processId: pid })).toEqual(before);
    await rebuildAllNodeCounts({ pool: h.pool, redis: h.redis, prefix });
    expect(await readNodeCounts({ redis: h.redis, prefix, processId: pid })).toEqual(before);
    expect(await h.db.nodePurgedTotal.findMany({ where: { processId: pid }, select: { nodeId: true, total: true }, orderBy: { nodeId: "asc" } }))
      .toEqual([{ nodeId: "done", total: 3n }, { nodeId: "failed", total: 1n }]);
    expect(await h.db.retentionPolicy.findUnique({ where: { processId: pid } })).toMatchObject({ lastPurged: 4, purgedTotal: 4n });

    // The live (parked) task is never touched, however old.
    await h.pool.query("UPDATE task SET changed_at = now() - interval '30 days', created_at = now() - interval '30 days' WHERE id = $1", [parked[0]]);
    await ageTasks(done.slice(3), 2 * DAY);
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 0, counterHistoryDays: 30, archiveDir } });
    expect((await h.db.task.findMany({ where: { processId: pid }, select: { id: true } })).map((t) => t.id).sort()).toEqual([failed[1], parked[0]].sort());
    await rebuildAllNodeCounts({ pool: h.pool, redis: h.redis, prefix });
    expect(await readNodeCounts({ redis: h.redis, prefix, processId: pid })).toEqual(before);
  });

  it("a process without a policy keeps its finished tasks unless the installation default says otherwise", async () => {
    const other = await h.publish(scheme(), { title: "no policy" });
    const ids = await runTasks(other, ["ok", "ok"]);
    await ageTasks(ids, 10 * DAY);
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 0, counterHistoryDays: 30, archiveDir } });
    expect(await h.db.task.count({ where: { processId: other } })).toBe(2);
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 30 * 86_400, counterHistoryDays: 30, archiveDir } });
    expect(await h.db.task.count({ where: { processId: other } })).toBe(2);
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 7 * 86_400, counterHistoryDays: 30, archiveDir } });
    expect(await h.db.task.count({ where: { processId: other } })).toBe(0);
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: other })).toMatchObject({ done: 2 });
  });

  it("archives each task with its history to a gzip JSON lines file before deleting", async () => {
    const archived = await h.publish(scheme(), { title: "archived" });
    const ids = await runTasks(archived, ["ok", "bad", "ok"]);
    await ageTasks(ids, 3 * DAY);
    await setRetentionPolicy({ db: h.db, processId: archived, input: { keepFinishedSec: 86_400, archive: true, enabled: true }, actorId: null });
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 0, counterHistoryDays: 30, archiveDir } });
    expect(await h.db.task.count({ where: { processId: archived } })).toBe(0);
    const dir = path.join(archiveDir, `process-${archived}`);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const lines = gunzipSync(await readFile(path.join(dir, files[0]))).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.task.id).sort()).toEqual([...ids].sort());
    for (const l of lines) {
      expect(l.task).toMatchObject({ process_id: archived, status: "finished" });
      expect(l.history.length).toBeGreaterThan(0);
      expect(l.history[0].data.path.map((p: { nodeId: string }) => p.nodeId)).toContain("route");
    }
  });

  it("keeps the tasks when the archive cannot be written, and carries on with other processes", async () => {
    const broken = await h.publish(scheme(), { title: "archive fails" });
    const fine = await h.publish(scheme(), { title: "purges fine" });
    const a = await runTasks(broken, ["ok"]);
    const b = await runTasks(fine, ["ok"]);
    await ageTasks([...a, ...b], 3 * DAY);
    await setRetentionPolicy({ db: h.db, processId: broken, input: { keepFinishedSec: 86_400, archive: true, enabled: true }, actorId: null });
    await setRetentionPolicy({ db: h.db, processId: fine, input: { keepFinishedSec: 86_400, archive: false, enabled: true }, actorId: null });
    // A file where the archive directory should be: mkdir fails.
    const notADir = path.join(archiveDir, "not-a-dir");
    await import("node:fs/promises").then((fs) => fs.writeFile(notADir, "x"));
    await runRetention({ pool: h.pool, settings: { defaultKeepSec: 0, counterHistoryDays: 30, archiveDir: notADir } });
    expect(await h.db.task.count({ where: { processId: broken } })).toBe(1);
    expect(await h.db.task.count({ where: { processId: fine } })).toBe(0);
  });

  it("runs when an admin asks for a run (Run now), without waiting for the schedule", async () => {
    const requested = await h.publish(scheme(), { title: "requested" });
    const ids = await runTasks(requested, ["ok", "ok"]);
    await ageTasks(ids, 2 * DAY);
    await setRetentionPolicy({ db: h.db, processId: requested, input: { keepFinishedSec: 86_400, archive: false, enabled: true }, actorId: null });
    const { requestRetentionRun } = await import("../../workers/maintenance.ts");
    await requestRetentionRun({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX });
    await h.waitFor("the worker's retention run", () => h.db.task.count({ where: { processId: requested } }), (n) => n === 0);
    expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: requested })).toMatchObject({ done: 2 });
  });

  it("runs on the worker's schedule (RETENTION_INTERVAL_SEC) with nobody asking, again and again", async () => {
    const scheduled = await h.publish(scheme(), { title: "scheduled" });
    await setRetentionPolicy({ db: h.db, processId: scheduled, input: { keepFinishedSec: 86_400, archive: false, enabled: true }, actorId: null });
    const first = await runTasks(scheduled, ["ok", "ok"]);
    // A worker whose retention job scheduler runs every 10 s (the shortest RETENTION_INTERVAL_SEC allowed) replaces the 600 s one.
    await h.worker!.stop();
    h.worker = null;
    await ageTasks(first, 2 * DAY);
    const fast = await createHarness({ flush: false, startWorker: false, env: { RETENTION_INTERVAL_SEC: "10" } });
    try {
      await fast.startWorker();
      const { Queue } = await import("bullmq");
      const { bullConnection } = await import("../../workers/queues.ts");
      const { MAINTENANCE_QUEUES } = await import("../../workers/maintenance.ts");
      const queue = new Queue(MAINTENANCE_QUEUES.retention, { connection: bullConnection(h.config.REDIS_URL), prefix: h.config.QUEUE_PREFIX });
      try {
        expect((await queue.getJobSchedulers()).map((j) => [j.key, j.every])).toEqual([["retention", 10_000]]);
        // Nobody asked for a run: no "Run now" job exists, now or later.
        expect(await queue.getJob("retention-now")).toBeUndefined();

        // The scheduler's first iteration runs as it is set up, and purges the aged tasks.
        const policy = () => h.db.retentionPolicy.findUniqueOrThrow({ where: { processId: scheduled } });
        await fast.waitFor("the first scheduled retention run", policy, (r) => r.purgedTotal === 2n, 25_000);
        expect(await h.db.task.count({ where: { id: { in: first } } })).toBe(0);
        const firstRun = (await policy()).lastRunAt!;

        // And again on the following iteration, for tasks that finished (and aged) after that run.
        const second = await h.submit(scheduled, [{ data: { kind: "ok" } }, { data: { kind: "bad" } }]);
        await h.waitFor("the second tasks to finish", () => h.db.task.count({ where: { id: { in: second }, status: "finished" } }), (n) => n === 2);
        await ageTasks(second, 2 * DAY);
        const { lastRunAt: secondRun } = await fast.waitFor("the next scheduled run", policy, (r) => r.purgedTotal === 4n && r.lastPurged === 2, 25_000);
        expect(await h.db.task.count({ where: { id: { in: second } } })).toBe(0);
        // One interval later, not sooner (nothing but the schedule runs it) and not much later.
        expect(secondRun!.getTime() - firstRun.getTime()).toBeGreaterThanOrEqual(9_000);
        expect(secondRun!.getTime() - firstRun.getTime()).toBeLessThan(20_000);
        expect(await queue.getJob("retention-now")).toBeUndefined();
      } finally {
        await queue.close();
      }
      // Totals stay.
      await h.waitFor("final totals", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: scheduled }), (c) => c.done === 3 && c.failed === 1);
      await rebuildAllNodeCounts({ pool: h.pool, redis: h.redis, prefix: h.config.QUEUE_PREFIX });
      expect(await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: scheduled })).toMatchObject({ done: 3, failed: 1 });
    } finally {
      await fast.close();
      await h.startWorker();
    }
  }, 90_000);
});

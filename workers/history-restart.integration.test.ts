import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { readNodeCounts } from "../server/tasks/node-counters.ts";
import { signedInCookies } from "../server/testing/sessions.ts";
import { testEnv } from "../server/testing/test-env.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { workerArgs } from "./node-args.ts";

/**
 * Charts keep their history across restarts: real worker processes
 * (workers/main.ts, as `npm run worker` starts them) take the per-minute
 * counter snapshots; after the worker is killed and the web side is started
 * afresh (new clients, nothing cached), a dashboard chart still shows the
 * earlier minutes — and still does after Redis lost everything, because the
 * history is in PostgreSQL.
 *
 *   Start ─▶ work ─▶ done
 *
 * It waits for real minute boundaries (up to about a minute).
 */
Object.assign(process.env, testEnv());
const root = path.resolve(import.meta.dirname, "..");
const MIN = 60_000;

let h: Harness;
let worker: ChildProcess | null = null;
let pid: number;
let cookie: string;

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, workerArgs(), {
    cwd: root,
    env: { ...process.env, ...testEnv(), COUNTER_SNAPSHOT_INTERVAL_SEC: "1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

async function stopWorkerProcess(signal: NodeJS.Signals): Promise<void> {
  const w = worker;
  worker = null;
  if (!w || w.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    w.once("exit", () => resolve());
    w.kill(signal);
  });
}

/** The web side as a fresh server process would have it: new clients, nothing cached. */
async function freshWeb() {
  const g = globalThis as unknown as { __conveyorWeb?: { db: { $disconnect(): Promise<void> }; redis: { disconnect(): void }; pool: { end(): Promise<void> } } };
  if (g.__conveyorWeb) {
    const old = g.__conveyorWeb;
    g.__conveyorWeb = undefined;
    old.redis.disconnect();
    await Promise.all([old.db.$disconnect(), old.pool.end()]);
  }
  const data = await import("../app/api/dashboards/[id]/data/route.ts");
  return data.GET;
}

const snapshotRows = () => h.pool.query<{ t: number; done: number | null }>(
  "SELECT (extract(epoch FROM minute) * 1000)::float8 AS t, (counts->>'done')::int AS done FROM counter_snapshot WHERE process_id = $1 ORDER BY minute", [pid],
).then((r) => r.rows);

async function settle(ids: string[], total: number) {
  await h.waitFor("tasks finished", () => h.db.task.count({ where: { id: { in: ids }, status: "finished" } }), (n) => n === ids.length, 30_000);
  await h.waitFor("counters", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid }), (c) => c.done === total, 30_000);
}

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  const { webContext } = await import("../app/_lib/context.ts");
  cookie = (await signedInCookies({ db: webContext().db, auth: webContext().auth, roles: ["viewer"] })).viewer;
  pid = await h.publish(buildScheme(startNode("s", "work"), logicNode("work", [go("done")]), finalNode("done")), { title: "restart history" });
  worker = startWorkerProcess();
});
afterAll(async () => {
  await stopWorkerProcess("SIGTERM");
  await h?.close();
});

describe("counter history across restarts", () => {
  it("a chart shows the earlier minutes after the worker and web restart, and after Redis lost everything", { timeout: 180_000 }, async () => {
    const first = await h.submit(pid, [{ data: {} }, { data: {} }, { data: {} }]);
    await settle(first, 3);
    const [m1] = (await h.waitFor("a snapshot with the first tasks", snapshotRows, (rows) => rows.some((r) => r.done === 3), 30_000)).filter((r) => r.done === 3);

    // The next minute: two more tasks, snapshotted in their own minute.
    await new Promise((r) => setTimeout(r, Math.max(0, m1.t + MIN - Date.now() + 200)));
    const second = await h.submit(pid, [{ data: {} }, { data: {} }]);
    await settle(second, 5);
    const rows = await h.waitFor("a snapshot of a later minute", snapshotRows, (rs) => rs.some((r) => r.done === 5 && r.t > m1.t), 30_000);
    const m2 = rows.find((r) => r.done === 5)!;

    // Restart: kill the worker outright, drop the web side's clients.
    await stopWorkerProcess("SIGKILL");
    worker = startWorkerProcess();
    const GET = await freshWeb();
    const { db } = (await import("../app/_lib/context.ts")).webContext();
    const span = Math.round((Date.now() - m1.t) / MIN) + 3;
    const dash = await db.dashboard.create({
      data: {
        title: "restart", widgets: [
          { id: "arrived", type: "chart", processId: pid, nodeIds: ["done"], bucket: "minute", span, measure: "increase" },
          { id: "total", type: "chart", processId: pid, nodeIds: ["done"], bucket: "minute", span, measure: "level" },
        ],
      },
    });
    const read = async () => {
      const res = await GET(new Request(`http://localhost/api/dashboards/${dash.id}/data`, { headers: { cookie } }), { params: Promise.resolve({ id: String(dash.id) }) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { widgets: Record<string, { times: number[]; series: Array<{ values: number[] }> }> };
      const at = (id: string, t: number) => body.widgets[id].series[0].values[body.widgets[id].times.indexOf(t)];
      return { arrivedM1: at("arrived", m1.t), arrivedM2: at("arrived", m2.t), levelM1: at("total", m1.t), levelM2: at("total", m2.t), latest: body.widgets.total.series[0].values.at(-1) };
    };
    expect(await read()).toEqual({ arrivedM1: 3, arrivedM2: 2, levelM1: 3, levelM2: 5, latest: 5 });

    // Redis loses everything (a restart without persistence): the history is in PostgreSQL.
    await h.redis.flushdb();
    const afterFlush = await read();
    expect(afterFlush).toEqual({ arrivedM1: 3, arrivedM2: 2, levelM1: 3, levelM2: 5, latest: 5 });
    // The restarted worker rebuilds the live counters from PostgreSQL, and the history goes on from there.
    await h.waitFor("counters rebuilt", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid }), (c) => c.done === 5, 60_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, startNode, timeLimit, when } from "@/engine/testing/builders";
import { createChannel } from "@/server/alerts/channel-service";
import { createSinkChannel } from "@/server/alerts/testing/sink-channel";
import { startHttpReceiver, type HttpReceiver } from "@/server/alerts/testing/receivers";
import { createSecretBox } from "@/server/crypto/secret-box";
import { deliverCallback } from "@/server/tasks/deliver-callback";
import { readNodeCounts } from "@/server/tasks/node-counters";
import { signedInCookies } from "@/server/testing/sessions";
import { testEnv } from "@/server/testing/test-env";
import { createHarness, type Harness } from "@/server/testing/worker-harness";

/**
 * Dashboards and the overview through their real route handlers (real
 * sessions, PostgreSQL, Redis and worker): composing a dashboard, refusing
 * bad widgets and lost updates, the numbers each widget shows as tasks move,
 * active task-counter escalations, alert delivery (one channel's receiver
 * answers 500: its alert is dead-lettered) and the AWS pack's alerts per rule
 * and per account.
 *
 *   Start ─▶ route ─(kind == alert)─▶ notify (Rule, Account) ─▶ done
 *              ├─(kind == broken-alert)─▶ notify-broken (channel dash-broken) ─▶ done
 *              ├─(kind == hold)─▶ hold (callback; count ≥ 2 ─▶ esc) ─▶ done
 *              ├─(kind == bad)──▶ failed (error final)
 *              └─────────────────▶ tally (Sum: amount += {{amount}}, tasks += 1) ─▶ done
 *   esc (escalation) ─▶ signalled
 */
Object.assign(process.env, testEnv());
const { webContext } = await import("@/app/_lib/context");
const dashboards = await import("@/app/api/dashboards/route");
const oneDashboard = await import("@/app/api/dashboards/[id]/route");
const dashboardData = await import("@/app/api/dashboards/[id]/data/route");
const catalog = await import("@/app/api/dashboards/catalog/route");
const overview = await import("@/app/api/overview/route");

let h: Harness;
let sink: HttpReceiver;
let broken: HttpReceiver;
let cookies: Record<"editor" | "viewer", string>;
let pid: number;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

async function call<P>(fn: Handler<P>, method: string, url: string, params: P, body?: unknown, as: "editor" | "viewer" = "editor") {
  const res = await fn(new Request(`http://localhost${url}`, {
    method,
    headers: { cookie: cookies[as], origin: "http://localhost", host: "localhost", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }), { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json };
}
const none = {} as Record<string, never>;

beforeAll(async () => {
  // Two quick attempts per alert: the broken channel's alert is dead-lettered within a second.
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true", ALERT_MAX_ATTEMPTS: "2", ALERT_RETRY_BASE_MS: "50", ALERT_RETRY_MAX_MS: "100" } });
  sink = await createSinkChannel({ db: h.db, encryptionKey: h.config.ENCRYPTION_KEY, name: "dash-alerts" });
  broken = await startHttpReceiver(() => ({ status: 500, body: "receiver down" }));
  await createChannel({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), input: { name: "dash-broken", type: "webhook", settings: {}, secrets: { url: broken.url, signingSecret: "dash-broken-signing-secret-0123456789" }, rate: null } });
  const { db, auth } = webContext();
  cookies = await signedInCookies({ db, auth, roles: ["editor", "viewer"] });
  pid = await h.publish(buildScheme(
    startNode("s", "route"),
    logicNode("route", [when("notify", ["kind", "eq", "alert"]), when("notify-broken", ["kind", "eq", "broken-alert"]), when("hold", ["kind", "eq", "hold"]), when("failed", ["kind", "eq", "bad"]), go("tally")], [], "Route"),
    logicNode("notify", [{ type: "notify", channel: "dash-alerts", title: "{{rule}} in {{account}}", message: "m", fields: { Rule: "{{rule}}", Account: "{{account}}" } }, go("done")], [], "Notify"),
    logicNode("notify-broken", [{ type: "notify", channel: "dash-broken", title: "to a broken receiver", message: "m" }, go("done")], [], "Notify broken"),
    logicNode("tally", [{ type: "api_sum", extra: [{ id: "amount", name: "Amount", value: "{{amount}}" }, { id: "tasks", name: "Tasks", value: "1" }] }, go("done")], [], "Tally"),
    logicNode("hold", [{ type: "api_callback", is_sync: true }, go("done")], [{ type: "count", value: 2, esc_node_id: "esc" }, timeLimit(1, "done", "day")], "Hold"),
    escalationNode("esc", [go("signalled")], "Escalate"),
    finalNode("done", "success", "Done"), finalNode("failed", "error", "Failed"), finalNode("signalled", "success", "Signalled"),
  ), { title: "dash source" });
});
afterAll(async () => {
  await Promise.all([sink?.close(), broken?.close()]);
  await h?.close();
});

async function settle(ids: string[]) {
  await h.waitFor("tasks settled", () => h.db.task.findMany({ where: { id: { in: ids } }, select: { status: true } }), (ts) => ts.length === ids.length && ts.every((t) => t.status !== "active"));
}

describe("dashboards", () => {
  let id: number;

  it("an editor composes a dashboard in a folder; a viewer reads it but may not change it", async () => {
    const folder = await h.db.folder.create({ data: { name: "Ops boards" } });
    const created = await call(dashboards.POST, "POST", "/api/dashboards", none, {
      title: "Operations", folderId: folder.id,
      widgets: [
        { id: "w-count", type: "count", processId: pid, nodeId: "done", title: "Done" },
        { id: "w-chart", type: "chart", processId: pid, nodeIds: ["done", "failed"], chart: "bar", bucket: "minute", span: 10 },
        { id: "w-funnel", type: "funnel", processId: pid, nodeIds: ["done", "hold"] },
        { id: "w-alerts", type: "alerts", processId: pid, limit: 5 },
        { id: "w-sum", type: "sum", processId: pid, nodeId: "tally" },
        { id: "w-sum-amount", type: "sum", processId: pid, nodeId: "tally", sumId: "amount", title: "Amount" },
      ],
    });
    expect(created.status).toBe(201);
    id = created.json.dashboard.id;
    expect(created.json.dashboard).toMatchObject({ title: "Operations", folderId: folder.id, revision: 0 });
    expect(created.json.dashboard.widgets.map((w: Json) => w.id)).toEqual(["w-count", "w-chart", "w-funnel", "w-alerts", "w-sum", "w-sum-amount"]);

    const list = await call(dashboards.GET, "GET", "/api/dashboards", none, undefined, "viewer");
    expect(list.json.dashboards.find((d: Json) => d.id === id)).toMatchObject({ folderId: folder.id, widgets: 6 });
    expect(list.json.folders.find((f: Json) => f.id === folder.id)).toMatchObject({ name: "Ops boards" });
    expect((await call(oneDashboard.PATCH, "PATCH", `/api/dashboards/${id}`, { id: String(id) }, { revision: 0, title: "x" }, "viewer")).status).toBe(403);
    expect(await h.db.auditLog.findFirst({ where: { action: "dashboard.created", targetId: String(id) } })).not.toBeNull();
  });

  it("refuses widgets that do not fit, naming the field", async () => {
    const bad = await call(dashboards.POST, "POST", "/api/dashboards", none, { title: "Bad", widgets: [{ id: "f", type: "funnel", processId: pid, nodeIds: ["done"] }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/widgets\.0\.nodeIds: a funnel needs at least two nodes/);
    const dup = await call(dashboards.POST, "POST", "/api/dashboards", none, { title: "Dup", widgets: [{ id: "a", type: "count", processId: pid, nodeId: "done" }, { id: "a", type: "count", processId: pid, nodeId: "done" }] });
    expect(dup.json.error.message).toMatch(/widget id a is used twice/);
    const span = await call(dashboards.POST, "POST", "/api/dashboards", none, { title: "Span", widgets: [{ id: "c", type: "chart", processId: pid, nodeIds: ["done"], bucket: "day", span: 5000 }] });
    expect(span.json.error.message).toMatch(/span: too many buckets/);
    const folder = await call(dashboards.POST, "POST", "/api/dashboards", none, { title: "Nowhere", folderId: 999999 });
    expect(folder.status).toBe(404);
  });

  it("refuses a change made on an old revision instead of losing the other editor's change", async () => {
    const first = await call(oneDashboard.PATCH, "PATCH", `/api/dashboards/${id}`, { id: String(id) }, { revision: 0, description: "first" });
    expect(first.status).toBe(200);
    expect(first.json.dashboard.revision).toBe(1);
    const stale = await call(oneDashboard.PATCH, "PATCH", `/api/dashboards/${id}`, { id: String(id) }, { revision: 0, description: "second" });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/changed by someone else.*reload/);
    expect((await call(oneDashboard.GET, "GET", `/api/dashboards/${id}`, { id: String(id) }, undefined, "viewer")).json.dashboard.description).toBe("first");
  });

  it("its widgets show the live counters, the chart's current minute, the funnel, recent alerts and Sum totals", async () => {
    const ids = await h.submit(pid, [
      { data: { kind: "ok", amount: 2.5 } }, { data: { kind: "ok", amount: 40 } }, { data: { kind: "bad" } },
      { data: { kind: "alert", rule: "CIS 4.3", account: "Prod (1111)" } },
    ]);
    await settle(ids);
    await h.waitFor("counters", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid }), (c) => c.done === 3 && c.failed === 1);
    await h.waitFor("the alert", () => h.db.alert.count({ where: { processId: pid } }), (n) => n === 1);
    const data = await call(dashboardData.GET, "GET", `/api/dashboards/${id}/data`, { id: String(id) }, undefined, "viewer");
    expect(data.status).toBe(200);
    const w = data.json.widgets;
    expect(w["w-count"]).toEqual({ type: "count", node: { id: "done", title: "Done", kind: "final-success" }, value: 3 });
    expect(w["w-chart"].times).toHaveLength(10);
    // Final nodes chart what arrived per minute (measure "auto" → increase); all of it arrived in the current minute.
    expect(w["w-chart"].series.map((s: Json) => [s.node.id, s.measure, s.values.at(-1)])).toEqual([["done", "increase", 3], ["failed", "increase", 1]]);
    expect(w["w-funnel"].stages.map((s: Json) => [s.node.title, s.value])).toEqual([["Done", 3], ["Hold", 0]]);
    expect(w["w-alerts"].alerts).toHaveLength(1);
    expect(w["w-alerts"].alerts[0]).toMatchObject({ title: "CIS 4.3 in Prod (1111)", channel: "dash-alerts", process: "dash source" });
    // The Sum block's totals over the two tasks that passed it (applied after the commit, like the counters).
    const sums = await h.waitFor("the Sum totals", async () => (await call(dashboardData.GET, "GET", `/api/dashboards/${id}/data`, { id: String(id) }, undefined, "viewer")).json.widgets,
      (ws) => ws["w-sum"]?.sums?.find((s: Json) => s.id === "tasks")?.value === 2);
    expect(sums["w-sum"]).toEqual({
      type: "sum", node: { id: "tally", title: "Tally", kind: "normal" },
      sums: [{ id: "amount", name: "Amount", value: 42.5 }, { id: "tasks", name: "Tasks", value: 2 }],
    });
    expect(sums["w-sum-amount"]).toEqual({ type: "sum", node: { id: "tally", title: "Tally", kind: "normal" }, sums: [{ id: "amount", name: "Amount", value: 42.5 }] });
  });

  it("a widget whose process is gone shows an error in its tile; the rest still work", async () => {
    const gone = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "to delete" });
    const d = await call(dashboards.POST, "POST", "/api/dashboards", none, { title: "Mixed", widgets: [{ id: "a", type: "count", processId: gone, nodeId: "done" }, { id: "b", type: "count", processId: pid, nodeId: "done" }] });
    await h.db.process.delete({ where: { id: gone } });
    const data = await call(dashboardData.GET, "GET", `/api/dashboards/${d.json.dashboard.id}/data`, { id: String(d.json.dashboard.id) });
    expect(data.json.widgets.a).toEqual({ type: "error", message: `process ${gone} does not exist any more; edit or remove this widget` });
    expect(data.json.widgets.b).toMatchObject({ type: "count", value: 3 });
  });

  it("the catalog lists processes with node titles, kinds and Sum ids for the widget editor", async () => {
    const res = await call(catalog.GET, "GET", "/api/dashboards/catalog", none, undefined, "viewer");
    const p = res.json.processes.find((x: Json) => x.id === pid);
    expect(p.nodes.find((n: Json) => n.id === "hold")).toMatchObject({ title: "Hold", kind: "normal", threshold: 2 });
    expect(p.nodes.find((n: Json) => n.id === "failed")).toMatchObject({ kind: "final-error" });
    expect(p.nodes.find((n: Json) => n.id === "tally")).toMatchObject({ sums: [{ id: "amount", name: "Amount" }, { id: "tasks", name: "Tasks" }] });
  });

  it("can be deleted by an editor", async () => {
    expect((await call(oneDashboard.DELETE, "DELETE", `/api/dashboards/${id}`, { id: String(id) })).status).toBe(200);
    expect((await call(oneDashboard.GET, "GET", `/api/dashboards/${id}`, { id: String(id) })).status).toBe(404);
  });
});

describe("overview", () => {
  it("shows per-process minutes, busiest nodes, active escalations, alert delivery and alerts per rule and account", async () => {
    const held = await h.submit(pid, [{ data: { kind: "hold" } }, { data: { kind: "hold" } }]);
    await h.waitFor("start signal", () => h.db.countSignal.findMany({ where: { processId: pid } }), (s) => s.length === 1);
    await h.waitFor("alert delivered", () => h.db.alert.findFirst({ where: { processId: pid } }), (a) => a?.status === "sent");
    const more = await h.submit(pid, [
      { data: { kind: "alert", rule: "CIS 4.3", account: "Dev (2222)" } }, { data: { kind: "alert", rule: "CIS 4.1", account: "Dev (2222)" } },
      { data: { kind: "broken-alert" } },
    ]);
    await settle(more);
    // Every alert decided: three sent, the broken channel's dead-lettered after its two attempts.
    await h.waitFor("alerts sent or failed", () => h.db.alert.findMany({ where: { processId: pid }, select: { status: true } }), (as) => as.length === 4 && as.every((a) => a.status === "sent" || a.status === "failed"));
    // (A step writes its alerts in dedup-key order, so ids need not follow the tasks' order.)
    expect(await h.db.alert.findMany({ where: { processId: pid }, select: { channelName: true, status: true }, orderBy: [{ channelName: "asc" }, { id: "asc" }] })).toEqual([
      { channelName: "dash-alerts", status: "sent" }, { channelName: "dash-alerts", status: "sent" }, { channelName: "dash-alerts", status: "sent" }, { channelName: "dash-broken", status: "failed" },
    ]);
    await h.waitFor("counters", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid }), (c) => c.done === 6 && c.hold === 2 && c.signalled === 1);

    const o = (await call(overview.GET, "GET", "/api/overview", none, undefined, "viewer")).json;
    expect(o.window).toBe("hour");
    expect(o.times).toHaveLength(60);
    const p = o.processes.find((x: Json) => x.id === pid);
    expect(p.live).toBe(2);
    // In: the 4 earlier tasks, 2 held, 1 signal task, 3 more alerts. Finished: 6 done + the signal. Error: 1.
    expect(p.totals).toEqual({ in: 10, finished: 7, errors: 1 });
    expect(p.perMinute.in.reduce((a: number, b: number) => a + b, 0)).toBe(10);
    expect(p.perMinute.in).toHaveLength(60);
    const day = (await call(overview.GET, "GET", "/api/overview?window=day", none, undefined, "viewer")).json;
    expect(day.times).toHaveLength(1440);
    expect(day.processes.find((x: Json) => x.id === pid).totals).toEqual(p.totals);
    // A process that did nothing in the window sends no per-minute arrays.
    const idle = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "idle" });
    const again = (await call(overview.GET, "GET", "/api/overview", none, undefined, "viewer")).json;
    expect(again.processes.find((x: Json) => x.id === idle)).toEqual({ id: idle, title: "idle", live: 0, totals: { in: 0, finished: 0, errors: 0 } });
    expect((await call(overview.GET, "GET", "/api/overview?window=week", none, undefined, "viewer")).status).toBe(400);
    expect(o.busiestNodes.find((n: Json) => n.processId === pid)).toMatchObject({ nodeId: "hold", node: "Hold", count: 2 });
    expect(o.escalations.filter((e: Json) => e.processId === pid)).toEqual([
      expect.objectContaining({ nodeId: "hold", node: "Hold", escNodeId: "esc", countAtStart: 2, threshold: 2, current: 2 }),
    ]);
    expect(o.awsPack.byRule).toEqual(expect.arrayContaining([{ rule: "CIS 4.3", count: 2 }, { rule: "CIS 4.1", count: 1 }]));
    expect(o.awsPack.byAccount).toEqual(expect.arrayContaining([{ account: "Dev (2222)", count: 2 }, { account: "Prod (1111)", count: 1 }]));
    // Alert delivery: per channel, and overall (sent / (sent + failed) of every alert raised in the window, this file's and earlier ones').
    expect(o.alerts.byChannel.find((c: Json) => c.channel === "dash-alerts")).toEqual({ channel: "dash-alerts", sent: 3, failed: 0, pending: 0, successRate: 1 });
    expect(o.alerts.byChannel.find((c: Json) => c.channel === "dash-broken")).toEqual({ channel: "dash-broken", sent: 0, failed: 1, pending: 0, successRate: 0 });
    const { rows: [all] } = await h.pool.query<{ sent: number; failed: number }>(
      "SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM alert WHERE notified_at >= now() - interval '1 hour'");
    expect(all.sent).toBeGreaterThanOrEqual(3);
    expect(all.failed).toBeGreaterThanOrEqual(1);
    expect(o.alerts.hour).toMatchObject({ sent: all.sent, failed: all.failed });
    expect(o.alerts.hour.successRate).toBeCloseTo(all.sent / (all.sent + all.failed), 10);
    expect(o.alerts.hour.successRate).toBeGreaterThan(0);
    expect(o.alerts.hour.successRate).toBeLessThan(1);
    expect(o.alerts.day.successRate).toBeLessThan(1);

    // The count falls below the threshold: the stop signal ends the escalation.
    await deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: held[0] }, data: {} });
    await h.waitFor("stop signal", () => h.db.countSignal.findMany({ where: { processId: pid } }), (s) => s.length === 2);
    const after = (await call(overview.GET, "GET", "/api/overview", none, undefined, "viewer")).json;
    expect(after.escalations.filter((e: Json) => e.processId === pid)).toEqual([]);
  });
});

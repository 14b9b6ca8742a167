import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, escalationNode, finalNode, go, logicNode, startNode, timeLimit } from "@/engine/testing/builders";
import { createChannel } from "@/server/alerts/channel-service";
import { startHttpReceiver, type HttpReceiver } from "@/server/alerts/testing/receivers";
import { createSecretBox } from "@/server/crypto/secret-box";
import { deliverCallback } from "@/server/tasks/deliver-callback";
import { parsePrometheus } from "@/server/observability/prometheus";
import { signedInCookies } from "@/server/testing/sessions";
import { testEnv } from "@/server/testing/test-env";
import { createHarness, type Harness } from "@/server/testing/worker-harness";

/**
 * Scrapes /api/metrics and /metrics (the real route handlers, with the real
 * worker moving tasks and delivering alerts) and checks every documented
 * series is there with values that fit what was done: tasks moved, their
 * step latencies, queue depth and age while no worker consumes, alert
 * deliveries and failures, HTTP durations, worker heartbeats, active
 * task-counter escalations.
 *
 *   Start ─▶ notify ({{channel}}) ─▶ done
 *
 *   Start ─▶ hold (callback; count ≥ 2 ─▶ esc) ─▶ released      esc (escalation) ─▶ signalled
 */
const TOKEN = "metrics-token-0123456789abcdef";
Object.assign(process.env, testEnv(), { METRICS_TOKEN: TOKEN });
const { webContext } = await import("@/app/_lib/context");
const metrics = await import("@/app/api/metrics/route");
const rootMetrics = await import("@/app/metrics/route");
const counts = await import("@/app/api/processes/[id]/counts/route");

let h: Harness;
let ok: HttpReceiver;
let broken: HttpReceiver;
let pid: number;
let cookies: Record<"admin" | "viewer", string>;

type Sample = ReturnType<typeof parsePrometheus>[number];

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, path: "/api/metrics" | "/metrics" = "/api/metrics"): Promise<{ status: number; type: string | null; text: string; samples: Sample[] }> {
  const handler = path === "/metrics" ? rootMetrics.GET : metrics.GET;
  const res = await handler(new Request(`http://localhost${path}`, { headers }), { params: Promise.resolve({}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), text, samples: res.status === 200 ? parsePrometheus(text) : [] };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

beforeAll(async () => {
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true", ALERT_MAX_ATTEMPTS: "1", METRICS_TOKEN: TOKEN } });
  const { db, auth } = webContext();
  cookies = await signedInCookies({ db, auth, roles: ["admin", "viewer"] });
  const box = createSecretBox(h.config.ENCRYPTION_KEY);
  ok = await startHttpReceiver(() => ({ status: 200 }));
  broken = await startHttpReceiver(() => ({ status: 500, body: "down" }));
  for (const [name, r] of [["metrics-ok", ok], ["metrics-broken", broken]] as const) {
    await createChannel({ db: h.db, box, input: { name, type: "webhook", settings: {}, secrets: { url: r.url, signingSecret: "metrics-signing-secret-0123456789" }, rate: null } });
  }
  pid = await h.publish(buildScheme(
    startNode("s", "notify"),
    logicNode("notify", [{ type: "notify", channel: "{{channel}}", title: "t", message: "m" }, go("done")]),
    finalNode("done"),
  ), { title: "metrics" });
});
afterAll(async () => {
  await Promise.all([ok?.close(), broken?.close()]);
  await h?.close();
});

describe("/api/metrics", () => {
  it("answers only a scraper with METRICS_TOKEN or an admin", async () => {
    expect((await scrape({})).status).toBe(401);
    const wrong = await scrape({ authorization: "Bearer not-the-token-at-all" });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/wrong metrics token/);
    expect((await scrape({ cookie: cookies.viewer })).status).toBe(403);
    expect((await scrape({ cookie: cookies.admin })).status).toBe(200);
    const right = await scrape();
    expect(right.status).toBe(200);
    expect(right.type).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("answers at /metrics too (Prometheus' default path), with the same protection and series", async () => {
    expect((await scrape({}, "/metrics")).status).toBe(401);
    expect((await scrape({ authorization: "Bearer not-the-token-at-all" }, "/metrics")).status).toBe(401);
    expect((await scrape({ cookie: cookies.viewer }, "/metrics")).status).toBe(403);
    expect((await scrape({ cookie: cookies.admin }, "/metrics")).status).toBe(200);
    const root = await scrape(undefined, "/metrics");
    expect(root.status).toBe(200);
    expect(root.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    const names = (text: string) => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(names(root.text)).toEqual(names((await scrape()).text));
    expect(names(root.text)).toContain("conveyor_workers_live");
  });

  it("exposes the documented series with values that fit a run", async () => {
    const before = (await scrape()).samples;
    const tasks = [...Array.from({ length: 20 }, () => ({ data: { channel: "metrics-ok" } })), { data: { channel: "metrics-broken" } }];
    const ids = await h.submit(pid, tasks);
    await h.waitFor("tasks done", () => h.db.task.count({ where: { id: { in: ids }, status: "finished" } }), (n) => n === ids.length);
    await h.waitFor("alerts settled", () => h.db.alert.findMany({ where: { processId: pid }, select: { status: true } }), (as) => as.length === 21 && as.every((a) => a.status === "sent" || a.status === "failed"));
    // Two API requests of a route handler to time (one allowed, one refused).
    const countsReq = (cookie: string) => counts.GET(new Request(`http://localhost/api/processes/${pid}/counts`, { headers: { cookie } }), { params: Promise.resolve({ id: String(pid) }) });
    expect((await countsReq(cookies.viewer)).status).toBe(200);
    expect((await countsReq("")).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300)); // metrics are recorded fire-and-forget
    const { samples: after, text } = await scrape();

    for (const name of [
      "conveyor_queue_jobs", "conveyor_queue_oldest_waiting_seconds", "conveyor_tasks_moved_total", "conveyor_tasks_moved_per_second",
      "conveyor_step_duration_seconds", "conveyor_alerts", "conveyor_alert_delivery_attempts_total", "conveyor_http_request_duration_seconds",
      "conveyor_workers_live", "conveyor_worker_heartbeat_age_seconds", "conveyor_escalations_active",
    ]) expect(text, name).toContain(`# TYPE ${name} `);

    // Every task took one step (Start → notify → done in one go).
    const moved = value(after, "conveyor_tasks_moved_total") - value(before, "conveyor_tasks_moved_total");
    expect(moved).toBe(21);
    expect(value(after, "conveyor_tasks_moved_per_second")).toBeGreaterThan(0);
    const stepCount = value(after, "conveyor_step_duration_seconds_count") - value(before, "conveyor_step_duration_seconds_count");
    expect(stepCount).toBe(21);
    const stepSum = value(after, "conveyor_step_duration_seconds_sum") - value(before, "conveyor_step_duration_seconds_sum");
    expect(stepSum / stepCount).toBeGreaterThan(0);
    expect(stepSum / stepCount).toBeLessThan(5);
    const buckets = after.filter((s) => s.name === "conveyor_step_duration_seconds_bucket");
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(buckets.at(-1)).toMatchObject({ labels: { le: "+Inf" }, value: value(after, "conveyor_step_duration_seconds_count") });

    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta("conveyor_alerts", { status: "sent" })).toBe(20);
    expect(delta("conveyor_alerts", { status: "failed" })).toBe(1);
    expect(delta("conveyor_alert_delivery_attempts_total", { outcome: "sent" })).toBe(20);
    expect(delta("conveyor_alert_delivery_attempts_total", { outcome: "error" })).toBe(1);

    const route = "/api/processes/[id]/counts";
    expect(value(after, "conveyor_http_request_duration_seconds_count", { route, method: "GET", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "conveyor_http_request_duration_seconds_count", { route, method: "GET", status: "401" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "conveyor_http_request_duration_seconds_count", { route: "/api/metrics", method: "GET", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(after.some((s) => s.name.startsWith("conveyor_http_request_duration_seconds") && /\d/.test(s.labels.route ?? ""))).toBe(false);

    expect(value(after, "conveyor_workers_live")).toBeGreaterThanOrEqual(1);
    const ages = after.filter((s) => s.name === "conveyor_worker_heartbeat_age_seconds").map((s) => s.value);
    expect(ages.length).toBeGreaterThanOrEqual(1);
    for (const a of ages) expect(a).toBeLessThan(15);
    for (const q of ["steps", "effects", "alerts", "counter-snapshots", "retention"]) {
      expect(after.some((s) => s.name === "conveyor_queue_jobs" && s.labels.queue === q && s.labels.state === "waiting"), q).toBe(true);
    }
  });

  it("shows a queue's depth and the age of its oldest job while no worker consumes it", async () => {
    await h.worker!.stop();
    h.worker = null;
    try {
      await h.submit(pid, [{ data: { channel: "metrics-ok" } }, { data: { channel: "metrics-ok" } }]);
      await new Promise((r) => setTimeout(r, 1500));
      const { samples } = await scrape();
      expect(value(samples, "conveyor_queue_jobs", { queue: "steps", state: "waiting" })).toBeGreaterThanOrEqual(1);
      const age = value(samples, "conveyor_queue_oldest_waiting_seconds", { queue: "steps" });
      expect(age).toBeGreaterThanOrEqual(1.4);
      expect(age).toBeLessThan(30);
      expect(value(samples, "conveyor_workers_live")).toBe(0);
    } finally {
      await h.startWorker();
    }
    await h.waitFor("queue drained", async () => value((await scrape()).samples, "conveyor_queue_jobs", { queue: "steps", state: "waiting" }), (n) => n === 0);
  });

  it("counts a task-counter escalation as active from its start signal until its stop signal", async () => {
    // Active = a count semaphor whose node's latest signal (count_signal) is a start: tasks in the node reached its threshold.
    const esc = await h.publish(buildScheme(
      startNode("s", "hold"),
      logicNode("hold", [{ type: "api_callback", is_sync: true }, go("released")], [{ type: "count", value: 2, esc_node_id: "esc" }, timeLimit(1, "released", "day")], "Hold"),
      escalationNode("esc", [go("signalled")], "Escalate"),
      finalNode("released"), finalNode("signalled"),
    ), { title: "metrics escalation" });
    const active = async () => value((await scrape()).samples, "conveyor_escalations_active");
    const before = await active();

    const [first] = await h.submit(esc, [{ data: {} }]);
    await h.waitFor("the first task waits in hold", () => h.task(first), (t) => t.nodeId === "hold");
    expect(await active()).toBe(before); // one task: below the threshold of 2

    await h.submit(esc, [{ data: {} }]);
    await h.waitFor("start signal", () => h.db.countSignal.findMany({ where: { processId: esc } }), (s) => s.length === 1 && s[0].start);
    expect(await active()).toBe(before + 1);
    expect(await active()).toBeGreaterThanOrEqual(1);

    // One task leaves: the count falls below the threshold and the stop signal ends the escalation.
    await deliverCallback({ pool: h.pool, executor: h.executor, target: { taskId: first }, data: {} });
    await h.waitFor("stop signal", () => h.db.countSignal.findMany({ where: { processId: esc } }), (s) => s.length === 2);
    expect(await active()).toBe(before);
  });
});

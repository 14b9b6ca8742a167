import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { createChannel } from "../server/alerts/channel-service.ts";
import { startHttpReceiver, type HttpReceiver } from "../server/alerts/testing/receivers.ts";
import { createSecretBox } from "../server/crypto/secret-box.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { createAlertQueue } from "./alert-queue.ts";
import { workerArgs } from "./node-args.ts";

/**
 * A worker process killed with SIGKILL in the middle of a delivery.
 *
 *   Start ─▶ alert (notify "crash-hook") ─▶ done
 *
 * The child worker delivers one alert at a time. The receiver acknowledges
 * the first five and leaves the sixth hanging; at that moment the worker is
 * killed. Then every alert's job is enqueued again (what a crash and the
 * alert sweep can do), and a new worker
 * finishes. Every acknowledged alert must have arrived exactly once; the one
 * cut off mid-delivery is delivered by the new worker, its log showing the
 * abandoned attempt.
 */
const root = path.resolve(import.meta.dirname, "..");
let h: Harness;
let hook: HttpReceiver;
let child: ChildProcess | null = null;

beforeAll(async () => {
  h = await createHarness({ startWorker: false, env: { HTTP_ALLOW_PRIVATE: "true", ALERT_TIMEOUT_MS: "3000", ALERT_CONCURRENCY: "1" } });
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  await hook?.close();
  await h?.close();
});

describe("a worker killed mid-delivery", () => {
  it("never delivers an acknowledged alert twice, and finishes the one it was cut off from", async () => {
    const deliveries = new Set<string>();
    hook = await startHttpReceiver((req) => {
      const id = String(req.headers["x-conveyor-delivery"]);
      const first = !deliveries.has(id);
      deliveries.add(id);
      if (first && deliveries.size === 6 && child) {
        // The sixth alert reaches the receiver, which does not answer: the worker dies right now.
        child.kill("SIGKILL");
        return { hang: true };
      }
      return { status: 200 };
    });
    await createChannel({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), input: { name: "crash-hook", type: "webhook", settings: {}, secrets: { url: `${hook.url}/h`, signingSecret: "crash-signing-secret-0123" }, rate: null } });
    const pid = await h.publish(buildScheme(
      startNode("s", "alert"),
      logicNode("alert", [{ type: "notify", channel: "crash-hook", title: "alert {{n}}", message: "number {{n}}", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "crash: alerts" });

    child = spawn(process.execPath, workerArgs(), {
      cwd: root, env: { ...process.env, ...h.config } as unknown as NodeJS.ProcessEnv, stdio: "ignore",
    });
    const exited = new Promise((r) => child!.once("exit", r));
    await h.waitFor("worker heartbeat", () => h.redis.keys(`${h.config.QUEUE_PREFIX}:worker:heartbeat:*`), (k) => k.length > 0);
    const ids = await h.submit(pid, Array.from({ length: 10 }, (_, n) => ({ data: { n } })));
    await exited;

    // At the kill: five alerts acknowledged and recorded as sent, one mid-delivery.
    const atKill = await h.db.alert.findMany({ where: { taskId: { in: ids } } });
    const acked = atKill.filter((a) => a.status === "sent");
    expect(acked).toHaveLength(5);
    expect(atKill.filter((a) => a.status === "sending")).toHaveLength(1);
    expect(hook.requests).toHaveLength(6);

    // The replay a crash can cause: every alert's job enqueued again.
    const q = createAlertQueue({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX });
    await q.add(atKill.map((a) => ({ alertId: Number(a.id), jobKey: a.jobId, channelId: a.channelId })));
    await q.close();

    await h.startWorker();
    await h.waitFor("all alerts sent", () => h.db.alert.count({ where: { taskId: { in: ids }, status: "sent" } }), (n) => n === 10, 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // nothing more may arrive

    const byDelivery = new Map<string, { requests: number; acknowledged: number }>();
    for (const r of hook.requests) {
      const id = String(r.headers["x-conveyor-delivery"]);
      const e = byDelivery.get(id) ?? { requests: 0, acknowledged: 0 };
      e.requests++;
      if (r.answered === 200) e.acknowledged++;
      byDelivery.set(id, e);
    }
    expect(byDelivery.size).toBe(10);
    // Each alert was acknowledged exactly once…
    expect([...byDelivery.values()].every((e) => e.acknowledged === 1)).toBe(true);
    // …and those acknowledged before the kill were never sent again.
    for (const a of acked) expect(byDelivery.get(a.dedupKey)).toEqual({ requests: 1, acknowledged: 1 });
    // The one cut off: its first request never answered, the new worker sent it again; the log says so.
    const cut = atKill.find((a) => a.status === "sending")!;
    expect(byDelivery.get(cut.dedupKey)).toEqual({ requests: 2, acknowledged: 1 });
    const attempts = await h.db.alertAttempt.findMany({ where: { alertId: cut.id }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, "abandoned"], [2, "sent"]]);
    expect(attempts[0].error).toMatch(/stopped before the outcome was recorded/);
    expect(hook.requests).toHaveLength(11);
  }, 120_000);
});

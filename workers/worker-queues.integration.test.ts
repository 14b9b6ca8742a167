import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { createSinkChannel } from "../server/alerts/testing/sink-channel.ts";
import type { HttpReceiver } from "../server/alerts/testing/receivers.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { startWorker, type RunningWorker } from "./start-worker.ts";

/**
 * WORKER_QUEUES splits the work between worker processes: one that only
 * steps tasks and one that only delivers alerts (so alerts never wait behind
 * a flood of step work), against the real PostgreSQL and Redis.
 *
 *   Start ─▶ alert (notify "split") ─▶ done
 */
let h: Harness;
let sink: HttpReceiver;
const running: RunningWorker[] = [];

beforeAll(async () => {
  h = await createHarness({ startWorker: false, env: { HTTP_ALLOW_PRIVATE: "true" } });
  sink = await createSinkChannel({ db: h.db, encryptionKey: h.config.ENCRYPTION_KEY, name: "split" });
});
afterAll(async () => {
  for (const w of running) await w.stop();
  await h?.close();
  await sink?.close();
});

async function start(queues: Array<"steps" | "effects" | "alerts" | "maintenance">) {
  const w = await startWorker({ config: { ...h.config, WORKER_QUEUES: queues }, workerId: `split-${queues.join("+")}-${Date.now()}`, reconcileEveryMs: 3_600_000 });
  running.push(w);
  return w;
}

describe("WORKER_QUEUES", () => {
  it("a steps-only worker moves tasks but delivers no alert; an alerts-only worker delivers them and steps nothing", async () => {
    const pid = await h.publish(buildScheme(
      startNode("s", "alert"),
      logicNode("alert", [{ type: "notify", channel: "split", title: "task {{n}}", message: "task {{n}}", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ), { title: "worker queues" });
    const alertsOf = (ids: string[]) => h.db.alert.findMany({ where: { taskId: { in: ids } }, select: { status: true } });

    const stepper = await start(["steps"]);
    const first = await h.submit(pid, [{ data: { n: 1 } }, { data: { n: 2 } }]);
    await h.waitFor("tasks done", () => h.db.task.count({ where: { id: { in: first }, status: "finished", nodeId: "done" } }), (n) => n === 2);
    await h.waitFor("alerts recorded", () => alertsOf(first), (a) => a.length === 2);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await alertsOf(first)).map((a) => a.status)).toEqual(["queued", "queued"]);
    expect(sink.requests).toHaveLength(0);
    await stepper.stop();
    running.splice(running.indexOf(stepper), 1);

    await start(["alerts"]);
    await h.waitFor("the queued alerts delivered", () => alertsOf(first), (a) => a.every((x) => x.status === "sent"));
    expect(sink.requests).toHaveLength(2);
    // It steps nothing: a new task stays where it entered.
    const [idle] = await h.submit(pid, [{ data: { n: 3 } }]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await h.db.task.findUnique({ where: { id: idle }, select: { status: true, nodeId: true } })).toMatchObject({ status: "active" });
    expect(sink.requests).toHaveLength(2);

    // With a steps-only worker beside it, the task moves and its alert goes out.
    await start(["steps"]);
    await h.waitFor("the third alert delivered", () => alertsOf([idle]), (a) => a.length === 1 && a[0].status === "sent");
    expect(sink.requests).toHaveLength(3);
  }, 60_000);
});

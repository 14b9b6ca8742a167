import { createServer, type Server } from "node:http";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, when } from "../engine/testing/builders.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";
import { createDispatcher } from "./dispatcher.ts";
import { bullConnection, jobIdOf, QUEUE } from "./queues.ts";

/**
 * API Call and Code blocks carried out by the real worker: real HTTP to a
 * local server (private addresses allowed here by HTTP_ALLOW_PRIVATE, cloud
 * metadata still blocked), max_threads respected across tasks, and Code in
 * the isolated-vm sandbox with its time limit.
 */
let h: Harness;
let server: Server;
let port = 0;
const received: Array<{ method: string; url: string; body: string; auth?: string }> = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method!, url: req.url!, body, auth: req.headers["x-api-key"] as string | undefined });
      if (req.url?.startsWith("/slow")) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ slow: true }));
        }, 150);
        return;
      }
      if (req.url?.startsWith("/once")) {
        // Answers late, so replays can arrive while the first call is in flight.
        setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ answered: true })), 300);
        return;
      }
      if (req.url?.startsWith("/list")) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([1, 2, 3]));
      if (req.url?.startsWith("/broken")) return void res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ risk: "high", echo: JSON.parse(body || "{}") }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true" } });
});
afterAll(async () => {
  server?.close();
  await h?.close();
});

const finished = (id: string) => h.waitFor(`task ${id} finished`, () => h.task(id), (t) => t.status === "finished", 30_000);

/*  Start ─▶ call (API Call) ─▶ done      (error ─▶ failed)  */
const apiProcess = (logic: Record<string, unknown>) =>
  h.publish(buildScheme(startNode("s", "call"), logicNode("call", [{ type: "api", extra_headers: {}, err_node_id: "failed", ...logic }, go("done")]), finalNode("done"), finalNode("failed", "error")));

describe("API Call (real HTTP, real worker)", () => {
  it("sends the request built from the task and merges a JSON object answer into it", async () => {
    const pid = await apiProcess({ method: "POST", url: `http://127.0.0.1:${port}/score`, extra: { user: "{{user}}", n: "{{n}}" }, extra_type: { user: "string", n: "number" }, extra_headers: { "x-api-key": "k-1" } });
    const [id] = await h.submit(pid, [{ data: { user: "alice", n: 3 } }]);
    expect(await finished(id)).toMatchObject({ nodeId: "done", data: { user: "alice", n: 3, risk: "high", echo: { user: "alice", n: 3 } } });
    const req = received.find((r) => r.url === "/score")!;
    expect(req).toMatchObject({ method: "POST", auth: "k-1" });
    expect(JSON.parse(req.body)).toEqual({ user: "alice", n: 3 });
  });

  it("puts an array answer under __conveyor_api_array__; a non-JSON error page takes the error exit", async () => {
    const list = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/list`, extra: {}, extra_type: {} });
    const [a] = await h.submit(list, [{ data: {} }]);
    expect((await finished(a)).data).toMatchObject({ __conveyor_api_array__: [1, 2, 3] });
    const broken = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/broken`, extra: {}, extra_type: {} });
    const [b] = await h.submit(broken, [{ data: {} }]);
    const t = await finished(b);
    expect(t.nodeId).toBe("failed");
    expect(t.data.__conveyor_api_return_type_tag__).toEqual(expect.any(String));
  });

  it("never reaches cloud metadata: the SSRF guard blocks it and the task takes its error exit", async () => {
    const pid = await apiProcess({ method: "GET", url: "http://169.254.169.254/latest/meta-data/iam/", extra: {}, extra_type: {} });
    const [id] = await h.submit(pid, [{ data: {} }]);
    const t = await finished(id);
    expect(t.nodeId).toBe("failed");
    expect(JSON.stringify(t.data)).toMatch(/blocked|169\.254/);
  });

  it("keeps at most max_threads requests of a node in flight across tasks", async () => {
    const pid = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/slow`, extra: {}, extra_type: {}, max_threads: 1 });
    maxInFlight = 0;
    const ids = await h.submit(pid, Array.from({ length: 5 }, (_, i) => ({ data: { i } })));
    for (const id of ids) expect((await finished(id)).nodeId).toBe("done");
    expect(maxInFlight).toBe(1);
  });
});

describe("Code (isolated-vm sandbox, real worker)", () => {
  /*  Start ─▶ code (JavaScript over data) ─▶ done      (error ─▶ failed)  */
  const codeProcess = (src: string) => h.publish(buildScheme(startNode("s", "code"), logicNode("code", [{ type: "api_code", lang: "js", src, err_node_id: "failed" }, go("done")]), finalNode("done"), finalNode("failed", "error")));

  it("runs JavaScript with the task as data and merges what it sets", async () => {
    const pid = await codeProcess("data.sum = data.a + data.b; data.tags = ['x', 'y'];");
    const [id] = await h.submit(pid, [{ data: { a: 2, b: 40 } }]);
    expect(await finished(id)).toMatchObject({ nodeId: "done", data: { a: 2, b: 40, sum: 42, tags: ["x", "y"] } });
  });

  it("stops an endless loop with code_timeout and a throw with code_executing_error", async () => {
    const loop = await codeProcess("while (true) {}");
    const [a] = await h.submit(loop, [{ data: {} }]);
    expect(await finished(a)).toMatchObject({ nodeId: "failed", data: { __conveyor_code_return_type_tag__: "code_timeout" } });
    const thrower = await codeProcess("throw new Error('no such customer')");
    const [b] = await h.submit(thrower, [{ data: {} }]);
    const t = await finished(b);
    expect(t).toMatchObject({ nodeId: "failed", data: { __conveyor_code_return_type_tag__: "code_executing_error" } });
    expect(String(t.data.__conveyor_code_return_description__)).toMatch(/no such customer/);
  });

  it("gives the code no way out to the host", async () => {
    const pid = await codeProcess("data.p = typeof process; data.f = typeof fetch; try { require('fs'); data.r = 'loaded'; } catch (e) { data.r = e.message; } try { data.c = this.constructor.constructor('return typeof process')(); } catch (e) { data.c = 'threw'; }");
    const [id] = await h.submit(pid, [{ data: {} }]);
    const data = (await finished(id)).data;
    expect(data).toMatchObject({ p: "undefined", f: "undefined", c: "undefined" });
    expect(data.r).toMatch(/require\("fs"\) is not available/);
  });
});

describe("effects act once: replayed outbox rows and duplicated effect jobs (real worker)", () => {
  type OutboxRow = { id: number; key: string; kind: string; payload: unknown };
  let dispatcher: ReturnType<typeof createDispatcher>;
  let effects: Queue;
  beforeAll(() => {
    dispatcher = createDispatcher({ redisUrl: h.config.REDIS_URL, prefix: h.config.QUEUE_PREFIX, pool: h.pool });
    effects = new Queue(QUEUE.effects, { connection: bullConnection(h.config.REDIS_URL), prefix: h.config.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await effects?.close();
  });

  const outboxRow = (taskId: string, kind: string) =>
    h.waitFor(`${kind} outbox row of ${taskId}`, async () => (await h.pool.query<OutboxRow>("SELECT id, job_key AS key, kind, payload FROM outbox WHERE task_id = $1 AND kind = $2", [taskId, kind])).rows, (r) => r.length === 1).then((r) => r[0]);
  const jobState = (row: OutboxRow) => effects.getJobState(jobIdOf(row.key));
  const steps = async (taskId: string) => (await h.db.taskHistory.findMany({ where: { taskId }, orderBy: { id: "asc" }, select: { event: true } })).map((r) => r.event);

  /**
   * Plays every way the same outbox row reaches the effects queue again: dispatched twice more
   * while its job runs (a duplicated effect job), left unmarked as after a crash between
   * dispatch and marking (the reconciler dispatches it again), and dispatched once more after
   * its completed job was removed from Redis (removeOnComplete evicts completed jobs by age and
   * count, so a late replay finds no job to collide with). Returns the data of the first job.
   */
  async function replayEverywhichWay(row: OutboxRow, taskId: string): Promise<Record<string, unknown>> {
    await Promise.all([dispatcher.dispatch([row]), dispatcher.dispatch([row])]);
    await finished(taskId);
    await h.pool.query("UPDATE outbox SET dispatched_at = NULL, created_at = now() - interval '1 minute' WHERE id = $1", [row.id]);
    await h.waitFor("the reconciler re-dispatched the unmarked row", async () => (await h.pool.query("SELECT dispatched_at FROM outbox WHERE id = $1", [row.id])).rows[0].dispatched_at, (d) => d !== null, 15_000);
    await h.waitFor("the first job completed", () => jobState(row), (s) => s === "completed");
    const first = (await effects.getJob(jobIdOf(row.key)))!.data as Record<string, unknown>;
    await effects.remove(jobIdOf(row.key));
    await dispatcher.dispatch([row]);
    await h.waitFor("the late replay's job completed", () => jobState(row), (s) => s === "completed" || s === "failed");
    await new Promise((r) => setTimeout(r, 400));
    return first;
  }

  it("API Call: one HTTP request, one move of the task", async () => {
    const pid = await apiProcess({ method: "POST", url: `http://127.0.0.1:${port}/once/api`, extra: { n: "{{n}}" }, extra_type: { n: "number" } });
    const [id] = await h.submit(pid, [{ data: { n: 1 } }]);
    const row = await outboxRow(id, "httpCall");
    await replayEverywhichWay(row, id);
    expect(received.filter((r) => r.url === "/once/api")).toHaveLength(1);
    expect(await h.task(id)).toMatchObject({ status: "finished", nodeId: "done", seq: 2, data: { n: 1, answered: true } });
    expect(await steps(id)).toEqual(["enter", "httpResult"]);
    // The late replay found the task gone from the node and called nobody.
    expect(((await effects.getJob(jobIdOf(row.key)))!.data as Record<string, unknown>).__result).toBeUndefined();
  });

  it("Code: the code runs once, the task moves once", async () => {
    const pid = await h.publish(buildScheme(
      startNode("s", "code"),
      logicNode("code", [{ type: "api_code", lang: "js", src: "const end = Date.now() + 300; while (Date.now() < end) {} data.sum = data.a + data.b;", err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ));
    const [id] = await h.submit(pid, [{ data: { a: 1, b: 2 } }]);
    const row = await outboxRow(id, "runCode");
    const first = await replayEverywhichWay(row, id);
    // The run that happened saved its result into its job; the late replay's job ran nothing.
    expect(first.__result).toMatchObject({ type: "codeResult", data: { a: 1, b: 2, sum: 3 } });
    expect(((await effects.getJob(jobIdOf(row.key)))!.data as Record<string, unknown>).__result).toBeUndefined();
    expect(await h.task(id)).toMatchObject({ status: "finished", nodeId: "done", seq: 2, data: { sum: 3 } });
    expect(await steps(id)).toEqual(["enter", "codeResult"]);
  });

  it("Get from Queue: one queued task taken; a replay takes no second one", async () => {
    /*  queue: Start ─▶ queue (api_queue) ─▶ taken       taker: Start ─▶ get (api_get_task ASC) ─▶ got  (err ─▶ empty)  */
    const q = await h.publish(buildScheme(startNode("s", "queue"), logicNode("queue", [{ type: "api_queue", data: {}, data_type: {} }, go("taken")]), finalNode("taken")));
    const taker = await h.publish(buildScheme(
      startNode("s", "get"), logicNode("get", [{ type: "api_get_task", conv_id: q, node_id: "queue", order_by: "ASC", err_node_id: "empty" }, go("got")]), finalNode("got"), finalNode("empty", "error"),
    ));
    const queued: string[] = [];
    for (const n of [1, 2]) {
      const [qid] = await h.submit(q, [{ data: { n } }]);
      await h.waitFor("queued", () => h.task(qid), (t) => t.status === "waiting");
      queued.push(qid);
    }
    const [id] = await h.submit(taker, [{ data: {} }]);
    const row = await outboxRow(id, "getFromQueue");
    await replayEverywhichWay(row, id);
    expect(await h.task(id)).toMatchObject({ nodeId: "got", data: { __queue_task_id__: queued[0], __queue_task_data__: { n: 1 } } });
    expect(await steps(id)).toEqual(["enter", "queueResult"]);
    expect(await h.task(queued[0])).toMatchObject({ status: "finished", nodeId: "taken" });
    // The second queued task is still there for the next taker: nobody received its data.
    expect(await h.task(queued[1])).toMatchObject({ status: "waiting", nodeId: "queue" });
  });

  it("Modify Task: the target is modified once, the origin moves once", async () => {
    /*  state: Start ─▶ st ⟲ (api_callback; status == done ─▶ end; go st)
     *  writer: Start ─▶ modify (api_copy modify ref {{who}}: touched = {{n}}) ─▶ done  (err ─▶ failed)  */
    const state = await h.publish(buildScheme(startNode("s", "st"), logicNode("st", [{ type: "api_callback" }, when("end", ["status", "eq", "done"]), go("st")]), finalNode("end")), { convType: "state" });
    const writer = await h.publish(buildScheme(
      startNode("s", "modify"),
      logicNode("modify", [{ type: "api_copy", mode: "modify", conv_id: state, ref: "{{who}}", group: "", data: { touched: "{{n}}" }, data_type: { touched: "string" }, is_sync: true, err_node_id: "failed" }, go("done")]),
      finalNode("done"), finalNode("failed", "error"),
    ));
    const [target] = await h.submit(state, [{ ref: "once-1", data: {} }]);
    await h.waitFor("target waiting", () => h.task(target), (t) => t.status === "waiting");
    const [id] = await h.submit(writer, [{ data: { who: "once-1", n: "1" } }]);
    const row = await outboxRow(id, "modifyTask");
    await replayEverywhichWay(row, id);
    expect(await h.task(id)).toMatchObject({ nodeId: "done", data: { __conveyor_copy_task_result__: "ok" } });
    expect(await steps(id)).toEqual(["enter", "copyResult"]);
    expect(await h.task(target)).toMatchObject({ status: "waiting", nodeId: "st", data: { touched: "1" } });
    expect(await steps(target)).toEqual(["enter", "callback"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit } from "@/engine/testing/builders";
import { createApiUser, corezoidSignature } from "@/server/api-users/api-users";
import { callbackPath } from "@/server/processes/direct-url";
import { createSecretBox } from "@/server/crypto/secret-box";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";

/**
 * The Corezoid-compatible API through its real route handler (no mocks: real
 * PostgreSQL, Redis and worker): signed requests exactly as the example's
 * Lambda sends them, rights per folder, replay and clock-skew refusal.
 */
Object.assign(process.env, testEnv());
const { POST } = await import("@/app/api/[v]/json/[...path]/route");

let h: Harness;
let api: { login: string; secret: string };
let granted: number;
let other: number;

beforeAll(async () => {
  h = await createHarness();
  const folder = await h.db.folder.create({ data: { name: "CloudTrail" } });
  const elsewhere = await h.db.folder.create({ data: { name: "Private" } });
  /*  Start ─▶ cb (Waiting for Callback, 1 day) ─▶ done  */
  const scheme = buildScheme(startNode("s", "cb"), logicNode("cb", [{ type: "api_callback", is_sync: true }, go("done")], [timeLimit(1, "done", "day")]), finalNode("done"));
  granted = await h.publish(scheme, { title: "router" });
  other = await h.publish(scheme, { title: "private" });
  await h.db.process.update({ where: { id: granted }, data: { folderId: folder.id } });
  await h.db.process.update({ where: { id: other }, data: { folderId: elsewhere.id } });
  api = await createApiUser({ db: h.db, box: createSecretBox(h.config.ENCRYPTION_KEY), name: "cloudtrail lambda", grants: [{ folderId: folder.id, canCreate: true, canModify: true, canView: true }] });
});
afterAll(async () => {
  await h?.close();
});

async function call(body: string, opts: { time?: number; secret?: string; login?: string; sig?: string } = {}) {
  const time = String(opts.time ?? Math.floor(Date.now() / 1000));
  const sig = opts.sig ?? corezoidSignature({ time, secret: opts.secret ?? api.secret, body });
  const login = opts.login ?? api.login;
  const req = new Request(`http://localhost/api/1/json/${login}/${time}/${sig}`, { method: "POST", body, headers: { "content-type": "application/json; charset=utf8" } });
  const res = await POST(req, { params: Promise.resolve({ v: "1", path: [login, time, sig] }) });
  return { status: res.status, json: (await res.json()) as { request_proc: string; description?: string; ops: Array<Record<string, unknown>> } };
}

describe("Corezoid-compatible API (route handler, real services)", () => {
  it("accepts the example Lambda's request: one create op per CloudTrail record, no ref", async () => {
    const records = [{ eventID: "e1", eventName: "ConsoleLogin" }, { eventID: "e2", eventName: "CreateTrail" }];
    // Exactly what fromCloudTrailToCorezoid.py builds: compact JSON, no ref.
    const body = JSON.stringify({ ops: records.map((r) => ({ type: "create", obj: "task", conv_id: granted, data: r })) });
    const { status, json } = await call(body);
    expect(status).toBe(200);
    expect(json.request_proc).toBe("ok");
    expect(json.ops).toEqual([expect.objectContaining({ proc: "ok", obj: "task" }), expect.objectContaining({ proc: "ok", obj: "task" })]);
    const ids = json.ops.map((o) => o.obj_id as string);
    const tasks = await h.db.task.findMany({ where: { id: { in: ids } } });
    expect(tasks.map((t) => (t.data as { eventID: string }).eventID).sort()).toEqual(["e1", "e2"]);
  });

  it("answers every op by its id; create with ref, modify wakes the waiting task, show returns it", async () => {
    const created = await call(JSON.stringify({ ops: [{ type: "create", obj: "task", conv_id: granted, ref: "order-7", data: { a: 1 }, id: "op-1" }] }));
    expect(created.json.ops[0]).toMatchObject({ id: "op-1", proc: "ok", ref: "order-7" });
    await h.waitFor("waiting", () => h.task(created.json.ops[0].obj_id as string), (t) => t.status === "waiting");
    const dup = await call(JSON.stringify({ ops: [{ type: "create", obj: "task", conv_id: granted, ref: "order-7", data: {}, id: "op-2" }] }));
    expect(dup.json.ops[0]).toMatchObject({ id: "op-2", proc: "not_unical_ref" });

    const modified = await call(JSON.stringify({ ops: [{ type: "modify", obj: "task", conv_id: granted, ref: "order-7", data: { approved: true }, id: "m" }] }));
    expect(modified.json.ops[0]).toMatchObject({ id: "m", proc: "ok", obj_id: created.json.ops[0].obj_id });
    const shown = await call(JSON.stringify({ ops: [{ type: "show", obj: "task", conv_id: granted, obj_id: created.json.ops[0].obj_id, id: "s" }] }));
    expect(shown.json.ops[0]).toMatchObject({ id: "s", proc: "ok", status: "processed", node_id: "done", data: { a: 1, approved: true } });
  });

  it("refuses an op on a process outside the user's folders, without failing the others", async () => {
    const { status, json } = await call(JSON.stringify({ ops: [
      { type: "create", obj: "task", conv_id: other, data: {}, id: "x" },
      { type: "create", obj: "task", conv_id: granted, data: {}, id: "y" },
      { type: "create", obj: "task", conv_id: 987654, data: {}, id: "z" },
      { type: "create", obj: "task", data: {}, id: "w" },
    ] }));
    expect(status).toBe(200);
    expect(json.ops.map((o) => [o.id, o.proc])).toEqual([["x", "access_denied"], ["y", "ok"], ["z", "error"], ["w", "error"]]);
    expect(json.ops[3].description).toMatch(/conv_id/);
    expect(await h.db.task.count({ where: { processId: other } })).toBe(0);
  });

  it("refuses a wrong signature, an unknown login, a skewed clock and a replay, creating nothing", async () => {
    const before = await h.db.task.count();
    const body = JSON.stringify({ ops: [{ type: "create", obj: "task", conv_id: granted, data: { n: 1 } }] });
    expect(await call(body, { secret: "not-the-secret" })).toMatchObject({ status: 401, json: { request_proc: "error", description: "wrong signature" } });
    expect((await call(body, { login: "1234567890" })).json.description).toMatch(/unknown or disabled API login/);
    expect((await call(body, { time: Math.floor(Date.now() / 1000) - 3600 })).json.description).toMatch(/away from the server's clock/);
    expect((await call(body, { sig: "zz" })).status).toBe(401);
    const time = Math.floor(Date.now() / 1000);
    expect((await call(body, { time })).status).toBe(200);
    const replay = await call(body, { time });
    expect(replay).toMatchObject({ status: 401, json: { description: expect.stringMatching(/replay/) } });
    expect(await h.db.task.count()).toBe(before + 1);
  });

  it("a node's callback URL releases the task waiting there; a wrong hash or another node is refused", async () => {
    const created = await call(JSON.stringify({ ops: [{ type: "create", obj: "task", conv_id: granted, ref: "cb-1", data: { step: 1 } }] }));
    const taskId = created.json.ops[0].obj_id as string;
    await h.waitFor("waiting", () => h.task(taskId), (t) => t.status === "waiting");
    const { directUrlHash } = await h.db.process.findUniqueOrThrow({ where: { id: granted } });
    const post = async (p: string, body: unknown) => {
      const segs = p.split("/").slice(4); // /api/1/json/<path...>
      const res = await POST(new Request(`http://localhost${p}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }), { params: Promise.resolve({ v: "1", path: segs }) });
      return { status: res.status, json: (await res.json()) as { request_proc: string; description?: string; ops?: Array<Record<string, unknown>> } };
    };
    const wrongNode = callbackPath(granted, "done", directUrlHash);
    expect((await post(wrongNode, { task_id: taskId, x: 1 })).status).toBe(409);
    expect((await post(callbackPath(granted, "cb", "0".repeat(40)).replace(/[0-9a-f]{40}$/, "f".repeat(40)), { task_id: taskId })).status).toBe(404);
    expect((await post(callbackPath(granted, "cb", directUrlHash), { nothing: 1 })).json.description).toMatch(/say which task/);
    const ok = await post(callbackPath(granted, "cb", directUrlHash), { task_id: taskId, approved: "yes" });
    expect(ok).toMatchObject({ status: 200, json: { request_proc: "ok", ops: [{ proc: "ok", obj_id: taskId }] } });
    expect(await h.task(taskId)).toMatchObject({ status: "finished", nodeId: "done", data: { step: 1, approved: "yes" } });
  });

  it("names malformed input", async () => {
    expect((await call("{not json")).json).toMatchObject({ request_proc: "error", description: expect.stringMatching(/not valid JSON/) });
    expect((await call(JSON.stringify({ nope: 1 }))).status).toBe(400);
  });
});

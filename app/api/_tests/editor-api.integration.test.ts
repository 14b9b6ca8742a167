import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit, when } from "@/engine/testing/builders";
import { signedInCookies } from "@/server/testing/sessions";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";
import { readNodeCounts } from "@/server/tasks/node-counters";

/**
 * The editor's HTTP API through its real route handlers (real sessions,
 * PostgreSQL, Redis and worker): processes and folders, drafts with
 * revisions, publishing, versions, import/export, and the live view's tasks.
 */
Object.assign(process.env, testEnv());
const { webContext } = await import("@/app/_lib/context");
const processes = await import("@/app/api/processes/route");
const oneProcess = await import("@/app/api/processes/[id]/route");
const draft = await import("@/app/api/processes/[id]/draft/route");
const publish = await import("@/app/api/processes/[id]/publish/route");
const duplicate = await import("@/app/api/processes/[id]/duplicate/route");
const versions = await import("@/app/api/processes/[id]/versions/route");
const version = await import("@/app/api/processes/[id]/versions/[version]/route");
const restore = await import("@/app/api/processes/[id]/versions/[version]/restore/route");
const exportProcess = await import("@/app/api/processes/[id]/export/route");
const folders = await import("@/app/api/folders/route");
const oneFolder = await import("@/app/api/folders/[id]/route");
const exportFolder = await import("@/app/api/folders/[id]/export/route");
const importRoute = await import("@/app/api/import/route");
const tasks = await import("@/app/api/processes/[id]/tasks/route");
const oneTask = await import("@/app/api/tasks/[taskId]/route");

const exampleFile = path.resolve(import.meta.dirname, "../../../engine/testing/fixtures/106317_folder.json");

let h: Harness;
let cookie: string;
let viewerCookie: string;

beforeAll(async () => {
  h = await createHarness();
  const { db, auth } = webContext();
  const c = await signedInCookies({ db, auth, roles: ["editor", "viewer"] });
  cookie = c.editor;
  viewerCookie = c.viewer;
});
afterAll(async () => {
  await h?.close();
});

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

async function call<P>(fn: Handler<P>, method: string, url: string, params: P, body?: unknown, as = cookie) {
  const req = new Request(`http://localhost${url}`, {
    method,
    headers: { cookie: as, origin: "http://localhost", host: "localhost", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await fn(req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

const noParams = {} as Record<string, never>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function auditActions(targetType: "process" | "folder" | "task", targetId: string | number): Promise<string[]> {
  const rows = await h.db.auditLog.findMany({ where: { targetType, targetId: String(targetId) }, orderBy: { id: "asc" }, select: { action: true } });
  return rows.map((r) => r.action);
}

describe("import and export", () => {
  /** A process as exported, with references to processes of the export replaced by their titles. */
  function comparable(p: Json, titleOf: Map<string, string>) {
    const scheme = JSON.parse(JSON.stringify(p.scheme), (k, v) => (k === "conv_id" && titleOf.has(String(v)) ? `process:${titleOf.get(String(v))}` : v));
    return { title: p.title, description: p.description, convType: p.convType, status: p.status, params: p.params, scheme };
  }

  async function exportFolderAs(folderId: number, format: string) {
    const res = await call(exportFolder.GET, "GET", `/api/folders/${folderId}/export?format=${format}`, { id: String(folderId) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename=".*folder_\d+_\d+\.json"/);
    return res.json;
  }

  it("imports the example folder, exports it, re-imports it: equal processes (Conveyor and Corezoid formats)", async () => {
    const original = JSON.parse(readFileSync(exampleFile, "utf8")) as Json[];
    const first = await call(importRoute.POST, "POST", "/api/import", noParams, { file: original });
    expect(first.status).toBe(201);
    expect(first.json.format).toBe("corezoid");
    expect(first.json.folders.map((f: Json) => f.name)).toEqual(["CloudTrail Event Processing"]);
    expect(first.json.processes.map((p: Json) => [p.title, p.published]).sort()).toEqual([["01 - Event router", true], ["02 - Non-Api checks", true], ["03 - Api checks", true]]);
    const folderId = first.json.folders[0].id as number;

    const conveyor = await exportFolderAs(folderId, "conveyor");
    expect(conveyor).toMatchObject({ format: "conveyor", version: 1 });
    expect(conveyor.processes).toHaveLength(3);

    // What the first import holds is the original export, ids re-mapped.
    const originalTitles = new Map(original.filter((o) => o.obj_type === 1).map((o) => [String(o.obj_id), o.title as string]));
    const exportedTitles = new Map<string, string>(conveyor.processes.map((p: Json) => [String(p.id), p.title]));
    for (const o of original.filter((x) => x.obj_type === 1)) {
      const mine = conveyor.processes.find((p: Json) => p.title === o.title);
      expect(comparable(mine, exportedTitles).scheme, o.title).toEqual(comparable({ ...o, convType: o.conv_type }, originalTitles).scheme);
      expect(mine.params).toEqual(o.params ?? []);
    }

    for (const file of [conveyor, await exportFolderAs(folderId, "corezoid")]) {
      const again = await call(importRoute.POST, "POST", "/api/import", noParams, { file });
      expect(again.status).toBe(201);
      expect(again.json.processes.every((p: Json) => p.published)).toBe(true);
      const reexported = await exportFolderAs(again.json.folders[0].id, "conveyor");
      const titles = new Map<string, string>(reexported.processes.map((p: Json) => [String(p.id), p.title]));
      const before = conveyor.processes.map((p: Json) => comparable(p, exportedTitles)).sort((a: Json, b: Json) => a.title.localeCompare(b.title));
      const after = reexported.processes.map((p: Json) => comparable(p, titles)).sort((a: Json, b: Json) => a.title.localeCompare(b.title));
      expect(after).toEqual(before);
      // The references really point at the new copies, not at the first import.
      const router = reexported.processes.find((p: Json) => p.title === "01 - Event router");
      const targets = JSON.stringify(router.scheme).match(/"conv_id":(\d+)/g)!.map((m) => Number(m.split(":")[1]));
      expect(targets.every((t) => titles.has(String(t)))).toBe(true);
    }
  });

  it("exports a single process in both formats and refuses unknown formats and files", async () => {
    const { json } = await call(processes.POST, "POST", "/api/processes", noParams, { title: "Export me" });
    const conv = await call(exportProcess.GET, "GET", `/api/processes/${json.id}/export?format=corezoid`, { id: String(json.id) });
    expect(conv.json).toEqual([expect.objectContaining({ obj_type: 1, obj_id: json.id, title: "Export me", parent_id: 0 })]);
    expect((await call(exportProcess.GET, "GET", `/api/processes/${json.id}/export?format=xml`, { id: String(json.id) })).status).toBe(400);
    const bad = await call(importRoute.POST, "POST", "/api/import", noParams, { file: { format: "conveyor", version: 1, folders: [], processes: [{ id: 1 }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/invalid Conveyor export/);
  });
});

describe("processes, folders and drafts", () => {
  it("creates a process with only a Start node, renames, moves, duplicates and deletes it, with an audit trail", async () => {
    const folder = await call(folders.POST, "POST", "/api/folders", noParams, { name: "Security" });
    expect(folder.status).toBe(201);
    const created = await call(processes.POST, "POST", "/api/processes", noParams, { title: "Router" });
    const id = created.json.id as number;
    const p = (await call(oneProcess.GET, "GET", `/api/processes/${id}`, { id: String(id) })).json;
    expect(p.draft.nodes).toEqual([expect.objectContaining({ obj_type: 1, condition: { logics: [{ type: "go", to_node_id: "" }], semaphors: [] } })]);
    expect(p.draftRevision).toBe(0);

    expect((await call(oneProcess.PATCH, "PATCH", `/api/processes/${id}`, { id: String(id) }, { title: "Event router", folderId: folder.json.id })).status).toBe(200);
    const tree = (await call(processes.GET, "GET", "/api/processes", noParams)).json;
    expect(tree.processes.find((x: Json) => x.id === id)).toMatchObject({ title: "Event router", folderId: folder.json.id, folder: "Security" });

    const copy = await call(duplicate.POST, "POST", `/api/processes/${id}/duplicate`, { id: String(id) }, {});
    expect(copy.json.title).toBe("Event router (copy)");
    const copied = (await call(oneProcess.GET, "GET", `/api/processes/${copy.json.id}`, { id: String(copy.json.id) })).json;
    expect(copied).toMatchObject({ folderId: folder.json.id, draft: p.draft, published: null });

    // A folder with processes in it is not deleted.
    const refused = await call(oneFolder.DELETE, "DELETE", `/api/folders/${folder.json.id}`, { id: String(folder.json.id) });
    expect(refused.status).toBe(409);
    for (const pid of [id, copy.json.id]) expect((await call(oneProcess.DELETE, "DELETE", `/api/processes/${pid}`, { id: String(pid) })).status).toBe(200);
    expect((await call(oneProcess.GET, "GET", `/api/processes/${id}`, { id: String(id) })).status).toBe(404);
    expect((await call(oneFolder.DELETE, "DELETE", `/api/folders/${folder.json.id}`, { id: String(folder.json.id) })).status).toBe(200);
    expect(await auditActions("process", id)).toEqual(["process.created", "process.renamed", "process.moved", "process.deleted"]);
    expect(await auditActions("folder", folder.json.id)).toEqual(["folder.created", "folder.deleted"]);
  });

  it("saves drafts with a revision: a stale save is a conflict, an invalid scheme is refused, viewers cannot save", async () => {
    const { json } = await call(processes.POST, "POST", "/api/processes", noParams, { title: "Drafty" });
    const id = json.id as number;
    const start = (await call(oneProcess.GET, "GET", `/api/processes/${id}`, { id: String(id) })).json.draft;
    const scheme = { ...start, nodes: [...start.nodes, { id: "aaaaaaaaaaaaaaaaaaaaaaaa", obj_type: 2, title: "Done", condition: { logics: [], semaphors: [] } }] };

    const first = await call(draft.PUT, "PUT", `/api/processes/${id}/draft`, { id: String(id) }, { revision: 0, scheme, params: [{ name: "eventType", flags: ["input"] }] });
    expect(first.status).toBe(200);
    expect(first.json.revision).toBe(1);
    expect(first.json.issues.map((i: Json) => i.code)).toEqual(expect.arrayContaining(["missing_link", "unreachable_node"]));
    const second = await call(draft.PUT, "PUT", `/api/processes/${id}/draft`, { id: String(id) }, { revision: 1, scheme });
    expect(second.json.revision).toBe(2);

    const stale = await call(draft.PUT, "PUT", `/api/processes/${id}/draft`, { id: String(id) }, { revision: 1, scheme });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details).toEqual({ revision: 2 });

    const invalid = await call(draft.PUT, "PUT", `/api/processes/${id}/draft`, { id: String(id) }, { revision: 2, scheme: { nodes: [{ id: "x", obj_type: 0, condition: { logics: [{ type: "db_call" }] } }] } });
    expect(invalid.status).toBe(400);
    expect((await call(draft.PUT, "PUT", `/api/processes/${id}/draft`, { id: String(id) }, { revision: 2, scheme }, viewerCookie)).status).toBe(403);

    const saved = (await call(oneProcess.GET, "GET", `/api/processes/${id}`, { id: String(id) })).json;
    expect(saved).toMatchObject({ draftRevision: 2, params: [{ name: "eventType", flags: ["input"] }] });
    // Autosave writes often; the audit log records one update per operator and window.
    expect(await auditActions("process", id)).toEqual(["process.created", "process.updated"]);
  });

  it("publishes only a valid draft (422 names the nodes), keeps versions with who/when, restores one into the draft", async () => {
    const { json } = await call(processes.POST, "POST", "/api/processes", noParams, { title: "Versioned" });
    const id = json.id as number;
    const url = `/api/processes/${id}`;
    /*  s ─▶ c ─(x = 1)─▶ missing node      (dangling)  */
    const broken = buildScheme(startNode("s", "c"), logicNode("c", [when("nowhere", ["x", "eq", "1"]), go("f")]), finalNode("f"));
    await call(draft.PUT, "PUT", `${url}/draft`, { id: String(id) }, { revision: 0, scheme: broken });
    const refused = await call(publish.POST, "POST", `${url}/publish`, { id: String(id) });
    expect(refused.status).toBe(422);
    expect(refused.json.error.details.issues).toEqual([expect.objectContaining({ nodeId: "c", code: "dangling_link", severity: "error" })]);
    expect((await call(versions.GET, "GET", `${url}/versions`, { id: String(id) })).json.versions).toEqual([]);

    const v1 = buildScheme(startNode("s", "c"), logicNode("c", [when("f", ["x", "eq", "1"]), go("f")]), finalNode("f"));
    await call(draft.PUT, "PUT", `${url}/draft`, { id: String(id) }, { revision: 1, scheme: v1 });
    expect((await call(publish.POST, "POST", `${url}/publish`, { id: String(id) })).json).toMatchObject({ version: 1 });
    const v2 = buildScheme(startNode("s", "f"), finalNode("f"));
    await call(draft.PUT, "PUT", `${url}/draft`, { id: String(id) }, { revision: 2, scheme: v2 });
    expect((await call(publish.POST, "POST", `${url}/publish`, { id: String(id) })).json).toMatchObject({ version: 2 });

    const list = (await call(versions.GET, "GET", `${url}/versions`, { id: String(id) })).json.versions;
    expect(list.map((v: Json) => [v.version, v.current, v.nodes])).toEqual([[2, true, 2], [1, false, 3]]);
    expect(list[0].createdBy).toMatch(/^editor tester <editor-.*@test\.local>$/);
    const one = (await call(version.GET, "GET", `${url}/versions/1`, { id: String(id), version: "1" })).json;
    expect(one.scheme).toEqual(v1);

    const restored = await call(restore.POST, "POST", `${url}/versions/1/restore`, { id: String(id), version: "1" });
    expect(restored.json).toEqual({ revision: 4 });
    const now = (await call(oneProcess.GET, "GET", url, { id: String(id) })).json;
    expect(now.draft).toEqual(v1);
    expect(now.published.version).toBe(2); // restoring changes the draft, not what runs
    expect(await auditActions("process", id)).toEqual(["process.created", "process.updated", "process.published", "process.published", "process.restored"]);
    expect((await call(restore.POST, "POST", `${url}/versions/9/restore`, { id: String(id), version: "9" })).status).toBe(404);
  });
});

describe("live view: tasks in a node", () => {
  /*  s ─▶ wait (callback, 1 h) ─▶ done ; wait ─(time limit)─▶ late  */
  const scheme = buildScheme(
    startNode("s", "wait"),
    logicNode("wait", [{ type: "api_callback", is_sync: true }, go("done")], [timeLimit(1, "late", "hour")], "Wait for approval"),
    finalNode("done", "success", "Approved"),
    finalNode("late", "error", "Too late"),
  );
  let pid: number;
  let created: Array<{ id: string; ref: string }>;

  beforeAll(async () => {
    pid = await h.publish(scheme, { title: "Approvals" });
    const res = await call(tasks.POST, "POST", `/api/processes/${pid}/tasks`, { id: String(pid) }, {
      tasks: [1, 2, 3, 4, 5].map((n) => ({ ref: `order-${n}`, data: { order: n, customer: n % 2 ? "acme" : "globex" } })),
    });
    expect(res.status).toBe(201);
    created = res.json.created;
    await h.waitFor("tasks waiting", () => h.db.task.count({ where: { processId: pid, status: "waiting" } }), (n) => n === 5);
  });

  const list = (query: string) => call(tasks.GET, "GET", `/api/processes/${pid}/tasks?${query}`, { id: String(pid) });

  it("lists a node's tasks a page at a time, searchable by ref and by a data value", async () => {
    const page1 = (await list("nodeId=wait&limit=2")).json;
    expect(page1.total).toBe(5);
    expect(page1.tasks).toHaveLength(2);
    const page2 = (await list(`nodeId=wait&limit=2&cursor=${page1.nextCursor}`)).json;
    const page3 = (await list(`nodeId=wait&limit=2&cursor=${page2.nextCursor}`)).json;
    expect(page3.nextCursor).toBeNull();
    const all = [...page1.tasks, ...page2.tasks, ...page3.tasks].map((t: Json) => t.ref);
    expect(new Set(all).size).toBe(5);
    expect(page1.tasks[0]).toMatchObject({ status: "waiting", waiting: "callback" });

    expect((await list("nodeId=wait&ref=der-3")).json.tasks.map((t: Json) => t.ref)).toEqual(["order-3"]);
    expect((await list("nodeId=wait&q=customer%3Dglobex")).json.tasks.map((t: Json) => t.ref).sort()).toEqual(["order-2", "order-4"]);
    expect((await list("nodeId=wait&q=acme")).json.total).toBe(3);
    expect((await list("nodeId=done")).json.total).toBe(0);
    expect((await list("nodeId=wait&cursor=nonsense")).status).toBe(400);
    expect(await auditActions("process", pid)).toContain("task.created_by_hand");
  });

  it("shows a task with its data and path, modifies a waiting task by hand (it moves on), refuses to modify one that does not wait", async () => {
    const t = created.find((c) => c.ref === "order-1")!;
    const detail = (await call(oneTask.GET, "GET", `/api/tasks/${t.id}`, { taskId: t.id })).json;
    expect(detail).toMatchObject({ ref: "order-1", nodeId: "wait", nodeTitle: "Wait for approval", version: 1, waiting: "callback", data: { order: 1, customer: "acme" } });
    expect(detail.path.map((p: Json) => [p.nodeId, p.outcome])).toEqual([["s", "passed"], ["wait", "parked"]]);
    expect(typeof detail.path[0].at).toBe("number");

    const modified = await call(oneTask.PATCH, "PATCH", `/api/tasks/${t.id}`, { taskId: t.id }, { data: { approved: true } });
    expect(modified.status).toBe(200);
    const after = (await call(oneTask.GET, "GET", `/api/tasks/${t.id}`, { taskId: t.id })).json;
    expect(after).toMatchObject({ nodeId: "done", status: "finished", data: { order: 1, approved: true } });
    expect(after.path.map((p: Json) => p.nodeId)).toEqual(["s", "wait", "done"]);
    expect(await auditActions("task", t.id)).toEqual(["task.modified_by_hand"]);

    const again = await call(oneTask.PATCH, "PATCH", `/api/tasks/${t.id}`, { taskId: t.id }, { data: { approved: false } });
    expect(again.status).toBe(409); // finished: it waits for nothing
    expect(again.json.error.message).toMatch(/^not_found_task/);
    expect((await call(oneTask.PATCH, "PATCH", `/api/tasks/${t.id}`, { taskId: t.id }, { data: {} }, viewerCookie)).status).toBe(403);
  });

  it("deletes tasks from a node and the node's counter follows", async () => {
    await h.waitFor("counter", () => readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid }), (c) => c.wait === 4 && c.done === 1);
    const two = created.filter((c) => c.ref === "order-2" || c.ref === "order-3").map((c) => c.id);
    const res = await call(tasks.DELETE, "DELETE", `/api/processes/${pid}/tasks`, { id: String(pid) }, { nodeId: "wait", taskIds: two });
    expect(res.json).toEqual({ deleted: 2 });
    expect((await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid })).wait).toBe(2);
    expect(await h.db.task.count({ where: { id: { in: two } } })).toBe(0);
    expect(await h.db.taskHistory.count({ where: { taskId: { in: two } } })).toBe(0);

    const rest = await call(tasks.DELETE, "DELETE", `/api/processes/${pid}/tasks`, { id: String(pid) }, { nodeId: "wait", all: true });
    expect(rest.json).toEqual({ deleted: 2 });
    const counts = await readNodeCounts({ redis: h.redis, prefix: h.config.QUEUE_PREFIX, processId: pid });
    expect(counts.wait).toBe(0);
    expect(counts.done).toBe(1); // a final's counter is a running total
    expect((await list("nodeId=wait")).json.total).toBe(0);
    expect(await auditActions("process", pid)).toEqual(expect.arrayContaining(["task.deleted_by_hand"]));
    expect((await call(tasks.DELETE, "DELETE", `/api/processes/${pid}/tasks`, { id: String(pid) }, { nodeId: "wait", all: true }, viewerCookie)).status).toBe(403);
  });

  it("deleting the process deletes its tasks and their history", async () => {
    const ids = (await h.db.task.findMany({ where: { processId: pid }, select: { id: true } })).map((t) => t.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await h.db.taskHistory.count({ where: { taskId: { in: ids } } })).toBeGreaterThan(0);
    expect((await call(oneProcess.DELETE, "DELETE", `/api/processes/${pid}`, { id: String(pid) })).status).toBe(200);
    expect(await h.db.task.count({ where: { processId: pid } })).toBe(0);
    expect(await h.db.taskHistory.count({ where: { taskId: { in: ids } } })).toBe(0);
  });
});

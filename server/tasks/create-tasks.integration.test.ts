import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../../engine/testing/builders.ts";
import { createProcess } from "../processes/process-service.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";
import { createTasks } from "./create-tasks.ts";

/**
 * createTasks on the real PostgreSQL (no worker): where new tasks enter, the
 * answers for processes that cannot take tasks, and the batch semantics the
 * APIs and ingestion rely on (duplicates by ref, ingestion's dedup that
 * outlives the task).
 *
 *   work ─▶ done      Start ─▶ work      (the Start node listed after the others)
 */
let h: Harness;
let pid: number;

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  pid = await h.publish(buildScheme(logicNode("work", [go("done")]), finalNode("done"), startNode("begin", "work")), { title: "create tasks" });
});
afterAll(async () => {
  await h?.close();
});

const create = (processId: number, tasks: Array<{ ref?: string; data: Record<string, unknown> }>, dedupeForever = false) =>
  createTasks({ pool: h.pool, processId, tasks, taskSizeLimit: 1_048_576, dedupeForever });

describe("createTasks", () => {
  it("tasks enter at the published version's Start node, wherever it is in the list, with their data", async () => {
    const { created, duplicates, jobs } = await create(pid, [{ ref: "a", data: { n: 1, nested: { s: "ü \"q\"" } } }, { data: { n: 2 } }]);
    expect(duplicates).toEqual([]);
    expect(created.map((c) => [c.ref, c.index])).toEqual([["a", 0], [null, 1]]);
    expect(jobs.map((j) => j.taskId)).toEqual(created.map((c) => c.id));
    const version = await h.db.process.findUniqueOrThrow({ where: { id: pid }, select: { publishedVersionId: true } });
    const rows = await h.db.task.findMany({ where: { id: { in: created.map((c) => c.id) } }, orderBy: { ref: "asc" } });
    expect(rows.map((r) => [r.nodeId, r.status, r.versionId, r.seq])).toEqual([["begin", "active", version.publishedVersionId, 0], ["begin", "active", version.publishedVersionId, 0]]);
    expect(rows.find((r) => r.ref === "a")!.data).toEqual({ n: 1, nested: { s: "ü \"q\"" } });
  });

  it("a ref held by a live task, or repeated in the batch, is a duplicate; ingestion's dedup remembers refs after their task is gone", async () => {
    const first = await create(pid, [{ ref: "d-1", data: {} }, { ref: "d-1", data: {} }, { ref: "d-2", data: {} }]);
    expect(first.created.map((c) => c.ref)).toEqual(["d-1", "d-2"]);
    expect(first.duplicates).toEqual([{ ref: "d-1", index: 1 }]);
    expect((await create(pid, [{ ref: "d-2", data: {} }, { ref: "d-3", data: {} }])).duplicates).toEqual([{ ref: "d-2", index: 0 }]);

    const ingest = await create(pid, [{ ref: "evt-1", data: {} }, { ref: "evt-2", data: {} }], true);
    expect(ingest.created).toHaveLength(2);
    await h.db.task.deleteMany({ where: { processId: pid, ref: { in: ["evt-1", "evt-2"] } } });
    const again = await create(pid, [{ ref: "evt-1", data: {} }, { ref: "evt-3", data: {} }], true);
    expect(again.created.map((c) => c.ref)).toEqual(["evt-3"]);
    expect(again.duplicates).toEqual([{ ref: "evt-1", index: 0 }]);
    expect(await h.db.ingestEvent.count({ where: { processId: pid } })).toBe(3);
  });

  it("a missing process is a 404; a paused one, one never published, or one without a Start node a 409 naming why; nothing is stored", async () => {
    const before = await h.db.task.count();
    await expect(create(999_999_999, [{ data: {} }])).rejects.toMatchObject({ code: "not_found", message: "process 999999999 does not exist" });

    const paused = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "paused" });
    await h.db.process.update({ where: { id: paused }, data: { status: "paused" } });
    await expect(create(paused, [{ data: {} }])).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("not active (conveyor_is_not_active)") });

    const { id: draft } = await createProcess({ db: h.db, title: "draft only", scheme: buildScheme(startNode("s", "done"), finalNode("done")) });
    await expect(create(draft, [{ data: {} }])).rejects.toMatchObject({ code: "conflict", message: `process ${draft} has no published version` });

    const noStart = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "no start" });
    const { publishedVersionId } = await h.db.process.findUniqueOrThrow({ where: { id: noStart }, select: { publishedVersionId: true } });
    await h.db.processVersion.update({ where: { id: publishedVersionId! }, data: { scheme: { nodes: [finalNode("done")] } as never } });
    await expect(create(noStart, [{ data: {} }])).rejects.toMatchObject({ code: "conflict", message: `process ${noStart} has no Start node` });

    expect(await h.db.task.count()).toBe(before);
  });

  it("bad input is refused before anything is stored: data that is not an object, an over-long ref, data over the size limit", async () => {
    const before = await h.db.task.count();
    await expect(create(pid, [{ data: {} }, { data: [1] as never }])).rejects.toMatchObject({ code: "bad_request", message: "task 1: data must be a JSON object" });
    await expect(create(pid, [{ ref: "r".repeat(256), data: {} }])).rejects.toMatchObject({ code: "bad_request", message: "task 0: ref is longer than 255 characters" });
    await expect(createTasks({ pool: h.pool, processId: pid, tasks: [{ data: { s: "x".repeat(100) } }], taskSizeLimit: 50 })).rejects.toMatchObject({ code: "payload_too_large" });
    expect(await h.db.task.count()).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "../../engine/testing/builders.ts";
import { createTasks } from "../tasks/create-tasks.ts";
import { lockProcessesForInsert } from "../tasks/process-lock.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";
import { deleteProcess } from "./process-service.ts";

/**
 * Tasks have no foreign keys to their process (docs/performance.md); a process row lock per
 * insert statement and deleteProcess's own row lock keep what the keys kept: no task outlives
 * its process, whatever runs at the same time.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ startWorker: false });
});
afterAll(async () => {
  await h?.close();
});

const publish = (title: string) => h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title });

describe("deleting a process while tasks go into it", () => {
  it("waits for an insert in flight and deletes its tasks too; an insert after it finds the process gone", async () => {
    const pid = await publish("delete race: in flight");
    const { publishedVersionId } = await h.db.process.findUniqueOrThrow({ where: { id: pid } });
    // A unit of work that has inserted a task into the process and not committed yet.
    const unit = await h.pool.connect();
    await unit.query("BEGIN");
    await lockProcessesForInsert(unit, [pid]);
    await unit.query("INSERT INTO task (id, process_id, version_id, node_id, status, data) VALUES (gen_random_uuid(), $1, $2, 's', 'active', '{}')", [pid, publishedVersionId]);
    let done = false;
    const deleting = deleteProcess({ db: h.db, processId: pid }).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 500));
    expect(done).toBe(false);
    await unit.query("COMMIT");
    unit.release();
    expect(await deleting).toMatchObject({ tasks: 1 });
    expect(await h.db.task.count({ where: { processId: pid } })).toBe(0);

    const late = await h.pool.connect();
    try {
      await late.query("BEGIN");
      await expect(lockProcessesForInsert(late, [pid])).rejects.toThrow(`process ${pid} no longer exists`);
    } finally {
      await late.query("ROLLBACK");
      late.release();
    }
  });

  it("a step holding one of the process's tasks and inserting another: both finish (no deadlock), and no task is left", async () => {
    const pid = await publish("delete race: step holds a task");
    const { publishedVersionId } = await h.db.process.findUniqueOrThrow({ where: { id: pid } });
    const [held] = await h.submit(pid, [{ data: { n: 1 } }]);
    // A unit of work: it has locked one of the process's tasks, as every step does first.
    const unit = await h.pool.connect();
    await unit.query("BEGIN");
    await unit.query("SELECT id FROM task WHERE id = $1 FOR UPDATE", [held]);
    let done = false;
    const deleting = deleteProcess({ db: h.db, processId: pid }).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 300)); // the delete now waits for the held task
    // The step goes on to create a task in the same process: it must not wait for the delete.
    await lockProcessesForInsert(unit, [pid]);
    await unit.query("INSERT INTO task (id, process_id, version_id, node_id, status, data) VALUES (gen_random_uuid(), $1, $2, 's', 'active', '{}')", [pid, publishedVersionId]);
    expect(done).toBe(false);
    await unit.query("COMMIT");
    unit.release();
    expect(await deleting).toMatchObject({ tasks: 2 });
    expect(await h.db.task.count({ where: { processId: pid } })).toBe(0);
  });

  it("createTasks inserts nothing, not even ingestion's dedup rows, into a process deleted after it read it", async () => {
    const pid = await publish("delete race: ingestion");
    // A delete holding the process row, not committed: createTasks still reads the process, then waits at its insert.
    const deleter = await h.pool.connect();
    await deleter.query("BEGIN");
    await deleter.query("SELECT id FROM process WHERE id = $1 FOR UPDATE", [pid]);
    await deleter.query("DELETE FROM process WHERE id = $1", [pid]);
    const creating = createTasks({ pool: h.pool, processId: pid, tasks: [{ ref: "evt-1", data: { n: 1 } }], taskSizeLimit: 1_048_576, dedupeForever: true }).then(
      () => "created",
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 500));
    await deleter.query("COMMIT");
    deleter.release();
    expect(await creating).toBe(`process ${pid} does not exist`);
    expect(await h.db.task.count({ where: { processId: pid } })).toBe(0);
    expect(await h.db.ingestEvent.count({ where: { processId: pid } })).toBe(0);
  });
});

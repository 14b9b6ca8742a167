import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode, timeLimit } from "../../engine/testing/builders.ts";
import { createHarness, type Harness } from "../testing/worker-harness.ts";

/**
 * A ref is unique among the live tasks of a process. A step checks the refs of the children it
 * creates before it runs them; another transaction can still commit a live task with the same
 * ref between that check and the step's INSERT. Then the step must not commit (it has already
 * answered the copy as done): it rolls back and its job is retried, and the retry sees the
 * other task. (Before task_history lost its foreign key, the history row of the skipped child
 * made the transaction fail; now persistUnit checks.)
 *
 *   origin:  Start ─▶ copy (to target, ref {{k}}) ─▶ done        copy error ─▶ refused
 *   target:  Start ─▶ hold (waits for a callback, an hour at most) ─▶ end
 */
let h: Harness;
let origin: number;
let target: number;

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  target = await h.publish(buildScheme(startNode("s", "hold"), logicNode("hold", [{ type: "api_callback", is_sync: false }, go("end")], [timeLimit(3600, "end")]), finalNode("end")), { title: "ref race: target" });
  origin = await h.publish(buildScheme(
    startNode("s", "copy"),
    logicNode("copy", [{ type: "api_copy", mode: "create", conv_id: target, ref: "{{k}}", group: "all", data: {}, data_type: {}, err_node_id: "refused" }, go("done")]),
    finalNode("done"), finalNode("refused", "error"),
  ), { title: "ref race: origin" });
});
afterAll(async () => {
  await h?.close();
});

describe("a child's ref taken by another transaction after the step checked it", () => {
  it("rolls the step back (nothing committed, the copy not answered) and its retry answers not_unical_ref", async () => {
    const { publishedVersionId } = await h.db.process.findUniqueOrThrow({ where: { id: target } });
    const [taskId] = await h.submit(origin, [{ data: { k: "race-1" } }]);

    // Another transaction creates a live task with that ref and has not committed yet.
    const other = await h.pool.connect();
    await other.query("BEGIN");
    await other.query("INSERT INTO task (id, process_id, version_id, ref, node_id, status, data) VALUES (gen_random_uuid(), $1, $2, 'race-1', 'hold', 'waiting', '{}')", [target, publishedVersionId]);
    // The step checks the ref (the other task is invisible), creates its child and waits at the INSERT for the other transaction.
    const stepping = h.executor.run([{ taskId, event: { type: "enter" } }]).then(() => "committed", (e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 500));
    await other.query("COMMIT");
    other.release();
    expect(await stepping).toMatch(/have a ref that another task took meanwhile; the step is retried/);
    expect(await h.task(taskId)).toMatchObject({ nodeId: "s", seq: 0 });
    expect(await h.db.task.count({ where: { processId: target } })).toBe(1);
    expect(await h.db.taskHistory.count({ where: { taskId } })).toBe(0);

    // The retry sees the other task: the copy fails as Corezoid's does.
    await h.executor.run([{ taskId, event: { type: "enter" } }]);
    const after = await h.task(taskId);
    expect(after).toMatchObject({ nodeId: "refused", status: "finished" });
    expect(after.data).toMatchObject({ __conveyor_copy_task_return_type_tag__: "not_unical_ref" });
    expect(await h.db.task.count({ where: { processId: target } })).toBe(1);
  });
});

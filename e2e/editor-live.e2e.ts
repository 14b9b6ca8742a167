import { expect, test } from "@playwright/test";
import { createPublishedProcess } from "./fixtures/processes.ts";
import { final, id, node, scheme, start } from "./fixtures/schemes.ts";

test.use({ viewport: { width: 1600, height: 1000 } });

/*
 *  Start ─▶ Wait for approval (callback, 1 hour) ─▶ Approved
 *                 └─(time limit)─▶ Too late (error)
 */
function approvals() {
  return scheme(
    start(id(1), id(2), 400, 40),
    node(id(2), "Wait for approval", [{ type: "api_callback", is_sync: true }, { type: "go", to_node_id: id(3) }], 360, 180, [{ type: "time", value: 1, dimension: "hour", to_node_id: id(4) }]),
    final(id(3), "Approved", 300, 380),
    final(id(4), "Too late", 560, 380, "error"),
  );
}

test("operators create a task by hand, modify a waiting task, list, search and delete tasks in a node", async ({ page }) => {
  page.on("dialog", (d) => void d.accept());
  const proc = await createPublishedProcess({ title: "E2E approvals", scheme: approvals(), params: [] });
  await page.goto(`/processes/${proc.id}?view=live`);
  await expect(page.getByTestId("live-help")).toBeVisible();

  const newTask = async (ref: string, data: string) => {
    await page.getByTestId("new-task").click();
    await page.getByTestId("new-task-ref").fill(ref);
    await page.getByTestId("new-task-data").fill(data);
    await page.getByTestId("new-task-create").click();
    await expect(page.getByTestId("task-detail")).toBeVisible();
  };
  await newTask("order-1", '{"amount": 5}');
  await expect(page.getByTestId("task-status")).toHaveText("waiting (callback)");
  await expect(page.getByTestId(`node-count-${id(2)}`)).toHaveText("1");

  // Modify the waiting task: the data is merged and it moves on.
  await page.getByTestId("modify-task").click();
  await page.getByTestId("modify-task-data").fill('{"amount": 5, "approved": true}');
  await page.getByTestId("modify-task-save").click();
  await expect(page.getByTestId("task-status")).toHaveText("finished · success");
  await expect(page.getByTestId("task-node")).toHaveText("Approved");
  await expect(page.getByTestId("task-data")).toContainText('"approved": true');
  await expect(page.getByTestId(`node-${id(3)}`)).toHaveAttribute("data-path", "true");
  await expect(page.getByTestId(`node-count-${id(3)}`)).toHaveText("1");
  await page.screenshot({ path: "test-results/screenshots/editor-live-modified.png" });

  await newTask("order-2", '{"amount": 7, "customer": "acme"}');
  await newTask("order-3", '{"amount": 9, "customer": "globex"}');
  await expect(page.getByTestId(`node-count-${id(2)}`)).toHaveText("2");

  await page.getByTestId(`node-title-${id(2)}`).click();
  await expect(page.getByTestId("tasks-total")).toHaveText("2 task(s)");
  await page.getByTestId("tasks-search-data").fill("customer=globex");
  await expect(page.getByTestId("tasks-total")).toHaveText("1 task(s)");
  await expect(page.getByTestId("tasks-list")).toContainText("order-3");
  await page.getByTestId("tasks-search-data").fill("");
  await page.getByTestId("tasks-search-ref").fill("order-2");
  await expect(page.getByTestId("tasks-total")).toHaveText("1 task(s)");
  await page.getByRole("checkbox", { name: "select task order-2" }).check();
  await page.getByTestId("delete-selected-tasks").click();
  await expect(page.getByTestId("tasks-total")).toHaveText("0 task(s)");
  await page.getByTestId("tasks-search-ref").fill("");
  await expect(page.getByTestId("tasks-total")).toHaveText("1 task(s)");
  await expect(page.getByTestId(`node-count-${id(2)}`)).toHaveText("1");
  await page.getByTestId("delete-all-tasks").click();
  await expect(page.getByTestId("tasks-total")).toHaveText("0 task(s)");
  await expect(page.getByTestId(`node-count-${id(2)}`)).toHaveText("0");
  await expect(page.getByTestId(`node-count-${id(3)}`)).toHaveText("1");
});

test("dry run: a JSON task goes through the draft in the browser, each step shows its data changes, nothing is stored", async ({ page }) => {
  const proc = await createPublishedProcess({ title: "E2E dry run", scheme: approvals(), params: [] });
  await page.goto(`/processes/${proc.id}`);
  await page.getByTestId("tab-dryrun").click();
  await page.getByTestId("dry-run-input").fill('{"amount": 12}');
  await page.getByTestId("dry-run-start").click();
  await expect(page.getByTestId("dry-run-status")).toContainText("Waiting (callback) in Wait for approval");
  await expect(page.getByTestId(`node-${id(2)}`)).toHaveAttribute("data-path", "true");
  await page.getByTestId("dry-run-fire-timer").click();
  await expect(page.getByTestId("dry-run-status")).toContainText("Finished (error) in Too late");
  await expect(page.getByTestId("dry-run-steps").locator("li")).toHaveCount(3);
  await expect(page.getByTestId(`node-${id(4)}`)).toHaveAttribute("data-path", "true");
  await expect(page.getByTestId("dry-run-commands")).toContainText("time limit fires at");
  await page.screenshot({ path: "test-results/screenshots/editor-dry-run.png" });

  // Nothing was stored: no task in the process.
  await page.getByTestId("mode-live").click();
  await expect(page.getByTestId(`node-count-${id(4)}`)).toHaveText("0");

  // Versions: view the published one read-only.
  await page.getByTestId("mode-edit").click();
  await page.getByTestId("tab-versions").click();
  await expect(page.getByTestId("version-1")).toContainText("live");
  await page.getByTestId("view-version-1").click();
  await expect(page.getByTestId("viewing-version")).toContainText("Viewing version 1 (read-only)");
  await expect(page.getByTestId("process-canvas")).toHaveAttribute("data-editable", "false");
});

import { expect, test } from "@playwright/test";
import { createDraftProcess } from "./fixtures/processes.ts";
import { final, id, node, scheme, start } from "./fixtures/schemes.ts";

// The editor wants room: palette, canvas and inspector side by side.
test.use({ viewport: { width: 1600, height: 1000 } });

/*
 *  Start ─▶ Classify ─(eventType = AwsApiCall)─▶ (node 99: does not exist)
 *              └─(otherwise)─▶ Done
 */
test("a process with a dangling link cannot be published, and the offending node is marked", async ({ page }) => {
  const broken = scheme(
    start(id(1), id(2)),
    node(id(2), "Classify", [{ type: "go_if_const", to_node_id: id(0x99), conditions: [{ param: "eventType", const: "AwsApiCall", fun: "eq", cast: "string" }] }, { type: "go", to_node_id: id(3) }]),
    final(id(3), "Done"),
  );
  const { id: pid } = await createDraftProcess({ title: "E2E dangling link", scheme: broken });
  await page.goto(`/processes/${pid}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  await expect(page.getByTestId(`node-issues-${id(2)}`)).toBeVisible();

  await page.getByTestId("publish").click();
  await expect(page.getByTestId("editor-notice")).toContainText("Not published");
  await expect(page.getByTestId("published-version")).toContainText("not published");
  const problems = page.getByTestId("problems-panel");
  await expect(problems).toContainText("dangling link");
  await expect(problems).toContainText(`links to node ${id(0x99)}, which does not exist`);
  await expect(page.getByTestId(`node-issues-${id(2)}`)).toHaveText("1");
  await expect(page.getByTestId(`node-issues-${id(3)}`)).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/editor-dangling-link.png" });

  // Choosing the problem selects the node; the server agrees there is no version.
  await page.locator('[data-testid^="problem-"]').filter({ hasText: "dangling link" }).click();
  await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", id(2));
  await expect(page.getByTestId("inspector-issues")).toContainText("does not exist");
  const versions = await (await page.request.get(`/api/processes/${pid}/versions`)).json() as { versions: unknown[] };
  expect(versions.versions).toEqual([]);
});

import { expect, test, type Page } from "@playwright/test";
import { DEMO_NODE_IDS } from "../server/seed/demo-process.ts";
import { createPublishedProcess } from "./fixtures/processes.ts";

/**
 * Live dashboards, built through the UI on a published process:
 *
 *   Start ─▶ Is console sign-in? ─(eventType == AwsConsoleSignIn)─▶ Console sign-in
 *                    └─(otherwise)─▶ Other events
 *
 * A count widget on "Console sign-in" and a chart on "Other events"; tasks
 * posted over the Direct URL show on both within 2 seconds. Then the wall
 * mode, the built-in overview and the retention page.
 */
const shots = "test-results/screenshots";

async function addWidget(page: Page, pick: () => Promise<void>) {
  await page.getByTestId("add-widget").click();
  const editor = page.getByTestId("widget-editor");
  await expect(editor).toBeVisible();
  await pick();
  await editor.getByTestId("widget-save").click();
  await expect(editor).toBeHidden();
}

test("a dashboard with a count and a chart on two nodes updates within 2 s of tasks being posted", async ({ page, request }) => {
  const proc = await createPublishedProcess({ title: "E2E dashboard source" });

  await page.goto("/dashboards");
  await page.getByTestId("new-dashboard").click();
  await page.getByTestId("new-dashboard-title").fill("Sign-ins live");
  await page.getByTestId("new-dashboard-create").click();
  await page.waitForURL(/\/dashboards\/\d+$/);
  await expect(page.getByTestId("dashboard-title")).toHaveText("Sign-ins live");

  // A count on "Console sign-in".
  await addWidget(page, async () => {
    await page.getByTestId("widget-type-count").check({ force: true });
    await page.getByTestId("widget-process").selectOption(String(proc.id));
    await page.getByTestId("widget-node").selectOption(DEMO_NODE_IDS.signIn);
    await page.getByTestId("widget-title").fill("Console sign-ins");
  });
  // A bar chart by minute on "Other events", two columns wide.
  await addWidget(page, async () => {
    await page.getByTestId("widget-type-chart").check({ force: true });
    await page.getByTestId("widget-process").selectOption(String(proc.id));
    await page.getByTestId(`widget-node-${DEMO_NODE_IDS.other}`).check();
    await page.getByTestId("widget-chart-kind").selectOption("bar");
    await page.getByTestId("widget-width").selectOption("2");
  });
  await page.getByTestId("done-editing").click();

  const tiles = page.locator("[data-testid^='widget-w']");
  await expect(tiles).toHaveCount(2);
  const countWidget = page.locator("[data-testid^='count-']");
  const chartLatest = page.getByTestId(new RegExp(`^chart-w.*-latest-${DEMO_NODE_IDS.other}$`));
  await expect(countWidget).toHaveText("0");
  await expect(chartLatest).toHaveText("0");

  for (const data of [
    { eventType: "AwsConsoleSignIn", eventName: "ConsoleLogin" },
    { eventType: "AwsConsoleSignIn", eventName: "ConsoleLogin" },
    { eventType: "AwsApiCall", eventName: "CreateTrail" },
    { eventType: "AwsApiCall", eventName: "StopLogging" },
    { eventType: "AwsApiCall", eventName: "DeleteTrail" },
  ]) expect((await request.post(proc.directUrl, { data })).status()).toBe(200);
  const posted = Date.now();

  // Both widgets show the new tasks within 2 seconds of the last post.
  await expect(countWidget).toHaveText("2", { timeout: 2_000 });
  await expect(chartLatest).toHaveText("3", { timeout: Math.max(1, 2_000 - (Date.now() - posted)) });
  const seenAfterMs = Date.now() - posted;
  test.info().annotations.push({ type: "update latency", description: `${seenAfterMs} ms from the last post to both widgets updated` });
  expect(seenAfterMs).toBeLessThanOrEqual(2_000);
  await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

  // Wall mode: the same widgets, large, on a dark page without the app's chrome.
  await page.getByTestId("wall-mode").click();
  await expect(page.getByTestId("wall-view")).toBeVisible();
  await expect(page.locator("[data-testid^='count-']")).toHaveText("2");
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await page.screenshot({ path: `${shots}/dashboard-wall.png`, fullPage: true });
});

test("the overview shows the process's minutes and the retention page its policy", async ({ page, request }) => {
  const proc = await createPublishedProcess({ title: "E2E overview source" });
  for (const eventType of ["AwsConsoleSignIn", "AwsApiCall"]) expect((await request.post(proc.directUrl, { data: { eventType } })).status()).toBe(200);

  await page.goto("/overview");
  await expect(page.getByTestId(`overview-in-${proc.id}`)).toHaveText("2", { timeout: 10_000 });
  await expect(page.getByTestId(`overview-finished-${proc.id}`)).toHaveText("2");
  await page.getByTestId(`overview-process-${proc.id}`).click();
  await expect(page.getByTestId("overview-chart")).toBeVisible();
  await page.screenshot({ path: `${shots}/overview.png`, fullPage: true });

  await page.goto("/admin/retention");
  const row = page.getByTestId(`retention-row-${proc.id}`);
  await row.getByTestId(`retention-amount-${proc.id}`).fill("12");
  await row.getByTestId(`retention-unit-${proc.id}`).selectOption("hours");
  await row.getByTestId(`retention-save-${proc.id}`).click();
  await expect(row.getByTestId(`retention-policy-${proc.id}`)).toHaveText(/Purges tasks finished more than 12 hours ago/);
  await page.screenshot({ path: `${shots}/retention.png`, fullPage: true });
});

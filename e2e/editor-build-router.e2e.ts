import { expect, test } from "@playwright/test";
import { connect, dropBlock, expectSaved, selectNode } from "./support/canvas.ts";

// The editor wants room: palette, canvas and inspector side by side.
test.use({ viewport: { width: 1600, height: 1000 } });

/**
 * The acceptance walk of the editor: an operator builds the CloudTrail event
 * router from an empty process, by hand, publishes it, sends an event over
 * HTTP and watches it arrive.
 *
 *   Start ─▶ Route by event type ─(eventType = AwsConsoleSignIn)─▶ Console sign-in
 *                                ─(eventType = AwsServiceEvent)──▶ Service event
 *                                ─(eventType = AwsApiCall)───────▶ API call
 *                                ─(otherwise)────────────────────▶ Non-classified (error)
 */
test("build the CloudTrail router from an empty process, publish it, send an event and follow its path", async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.goto("/processes");
  await page.getByTestId("new-process").click();
  await page.getByTestId("new-process-input").fill("CloudTrail router (built in e2e)");
  await page.getByTestId("new-process-submit").click();
  await page.waitForURL(/\/processes\/\d+$/);
  const processId = Number(new URL(page.url()).pathname.split("/").pop());
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  const start = (await page.locator(".react-flow__node").first().getAttribute("data-id"))!;

  // Drag blocks from the palette onto the canvas, below the Start node.
  const canvas = (await page.getByTestId("process-canvas").boundingBox())!;
  const startBox = (await page.getByTestId(`node-${start}`).boundingBox())!;
  const cx = startBox.x + startBox.width / 2 - canvas.x;
  const top = startBox.y - canvas.y;
  const route = await dropBlock(page, "condition", cx, top + 150);
  await selectNode(page, route);
  await page.getByTestId("node-title-input").fill("Route by event type");
  await page.getByTestId("branch-0-param-0").fill("{{eventType}}");
  await page.getByTestId("branch-0-const-0").fill("AwsConsoleSignIn");
  for (const [i, value] of [[1, "AwsServiceEvent"], [2, "AwsApiCall"]] as const) {
    await page.getByTestId("add-branch").click();
    await page.getByTestId(`branch-${i}-param-0`).fill("{{eventType}}");
    await page.getByTestId(`branch-${i}-const-0`).fill(value);
  }
  // The inspector offers the process's parameters as you type a template.
  await page.getByTestId("branch-2-param-0").fill("{{event");
  await expect(page.getByTestId("template-suggestions")).toContainText("eventType");
  await page.getByTestId("branch-2-param-0").press("Enter");
  await expect(page.getByTestId("branch-2-param-0")).toHaveValue("{{eventType}}");

  const finals: Record<string, string> = {};
  const spots: Array<[string, "final-success" | "final-error", number]> = [
    ["Console sign-in", "final-success", cx - 330], ["Service event", "final-success", cx - 110], ["API call", "final-success", cx + 110], ["Non-classified", "final-error", cx + 330],
  ];
  for (const [title, kind, x] of spots) {
    finals[title] = await dropBlock(page, kind, x, top + 420);
    await selectNode(page, finals[title]);
    await page.getByTestId("node-title-input").fill(title);
  }
  await page.getByTestId("fit-view").click();

  // Connect the ports: each writes the field behind it.
  await connect(page, start, "next", route);
  await connect(page, route, "cond-0", finals["Console sign-in"]);
  await connect(page, route, "cond-1", finals["Service event"]);
  await connect(page, route, "cond-2", finals["API call"]);
  await connect(page, route, "next", finals["Non-classified"]);
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);
  await expect(page.getByTestId("problem-count")).toHaveCount(0);
  await expectSaved(page);
  await page.screenshot({ path: "test-results/screenshots/editor-router-built.png" });

  await page.getByTestId("publish").click();
  await expect(page.getByTestId("editor-notice")).toContainText("Published version 1");
  await expect(page.getByTestId("published-version")).toContainText("live v1");

  // An event over HTTP (the process's Direct URL), then the live view.
  await page.getByTestId("process-canvas").click({ position: { x: 20, y: 20 } });
  const directUrl = (await page.getByTestId("direct-url").textContent())!;
  const sent = await request.post(directUrl, { data: { eventType: "AwsApiCall", eventName: "CreateTrail", eventID: "e2e-router-1", recipientAccountId: "123456789012" } });
  expect(sent.status()).toBe(200);
  await page.getByTestId("mode-live").click();
  await expect(page.getByTestId(`node-count-${finals["API call"]}`)).toHaveText("1", { timeout: 5_000 });
  for (const other of ["Console sign-in", "Service event", "Non-classified"]) await expect(page.getByTestId(`node-count-${finals[other]}`)).toHaveText("0");

  // The task in the final node: its data, its path with times, highlighted on the canvas.
  await page.getByTestId(`node-title-${finals["API call"]}`).click();
  await expect(page.getByTestId("tasks-total")).toHaveText("1 task(s)");
  await page.locator('[data-testid^="task-row-"]').first().click();
  await expect(page.getByTestId("task-data")).toContainText("CreateTrail");
  await expect(page.getByTestId("task-path").locator("li")).toHaveCount(3);
  await expect(page.getByTestId("task-path")).toContainText("Route by event type");
  for (const id of [start, route, finals["API call"]]) await expect(page.getByTestId(`node-${id}`)).toHaveAttribute("data-path", "true");
  await expect(page.getByTestId(`node-${finals["Console sign-in"]}`)).not.toHaveAttribute("data-path", "true");
  await page.screenshot({ path: "test-results/screenshots/editor-router-live-path.png" });
  expect(processId).toBeGreaterThan(0);
});

import { expect, test } from "@playwright/test";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { startHttpReceiver, type HttpReceiver } from "../server/alerts/testing/receivers.ts";
import type { SchemeJson } from "../server/processes/process-service.ts";
import { createPublishedProcess } from "./fixtures/processes.ts";

/**
 * Alert channels in the browser, against the production build and a real
 * worker: configure a Slack channel, "send test", see the message arrive at a
 * local receiver standing in for Slack; then a failing channel's test in the
 * delivery log, resent once the receiver is fixed.
 */
let slack: HttpReceiver;
test.beforeAll(async () => {
  slack = await startHttpReceiver(() => ({ status: 200, body: "ok" }));
});
test.afterAll(async () => {
  await slack?.close();
});

test("configure a Slack channel, send a test, and the message arrives", async ({ page }) => {
  await page.goto("/channels");
  await page.getByTestId("new-channel").click();
  await page.getByTestId("channel-name").fill("e2e-slack");
  await page.getByTestId("channel-type").selectOption("slack");
  await page.getByTestId("field-webhookUrl").fill(`${slack.url}/services/T0E2E/B0E2E/e2e-planted-token`);
  await page.getByTestId("channel-save").click();

  const row = page.getByTestId("channel-row-e2e-slack");
  await expect(row).toBeVisible();
  // The webhook URL is a secret: shown masked, its token never in the page.
  await expect(row).toContainText("webhook at 127.0.0.1");
  await expect(row).toContainText("••••oken");
  await expect(page.locator("body")).not.toContainText("e2e-planted-token");

  await page.getByTestId("test-e2e-slack").click();
  await expect(page.getByTestId("test-result-e2e-slack")).toContainText(/Sent in \d+ ms/, { timeout: 20_000 });

  const [req] = await slack.waitForRequests(1);
  expect(req.path).toBe("/services/T0E2E/B0E2E/e2e-planted-token");
  const body = JSON.parse(req.body) as { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
  expect(body.text).toBe("[INFO] Test of channel e2e-slack — A test alert sent by admin@e2e.test from Conveyor. If you read this, the channel works.");
  expect(body.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "ℹ️ Test of channel e2e-slack", emoji: true } });
  expect(body.blocks.at(-1)?.elements?.[0].text).toBe("Conveyor · test of channel e2e-slack");
  await page.screenshot({ path: "test-results/screenshots/channels.png", fullPage: true });

  await page.goto("/alerts");
  const logRow = page.locator("[data-testid^=alert-row-]").filter({ hasText: "e2e-slack" }).first();
  await expect(logRow.getByTestId("alert-status")).toHaveText("sent");
  await expect(logRow.getByTestId("alert-attempts")).toHaveText("1");
});

test("a task passing a notify block: its alert arrives, and the log links to the task", async ({ page, request }) => {
  /*  Start ─▶ alert (notify e2e-slack) ─▶ done  */
  const proc = await createPublishedProcess({
    title: "E2E alerting",
    params: [],
    scheme: buildScheme(
      startNode("s", "alert"),
      logicNode("alert", [{ type: "notify", channel: "e2e-slack", severity: "critical", title: "{{eventName}} by {{user}}", message: "{{user}} stopped the trail", fields: { Account: "{{account}}" }, err_node_id: "done" }, go("done")]),
      finalNode("done"),
    ) as unknown as SchemeJson,
  });
  const before = slack.requests.length;
  const res = await request.post(proc.directUrl, { data: { eventName: "StopLogging", user: "mallory", account: "218007301253" } });
  expect(res.status()).toBe(200);
  const [, req] = await slack.waitForRequests(before + 1).then((r) => [r, r[before]] as const);
  const body = JSON.parse(req.body) as { text: string; blocks: Array<{ type: string; elements?: Array<{ url?: string }> }> };
  expect(body.text).toBe("[CRITICAL] StopLogging by mallory — mallory stopped the trail");
  const taskUrl = body.blocks.find((b) => b.type === "actions")!.elements![0].url!;
  expect(taskUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/processes/${proc.id}\\?view=live&task=[0-9a-f-]{36}$`));

  await page.goto("/alerts");
  await page.getByTestId("filter-process").selectOption(String(proc.id));
  const row = page.locator("[data-testid^=alert-row-]").first();
  await expect(row.getByTestId("alert-status")).toHaveText("sent");
  await row.click();
  await expect(page.getByTestId("alert-message")).toHaveText("mallory stopped the trail");
  await page.screenshot({ path: "test-results/screenshots/alerts-log.png", fullPage: true });
  await row.getByTestId("alert-task-link").click();
  await expect(page).toHaveURL(new URL(taskUrl).pathname + new URL(taskUrl).search);
});

test("a failing channel's test shows its error in the delivery log, and a resend delivers it", async ({ page }) => {
  const flaky = await startHttpReceiver(() => ({ status: 503, body: "maintenance window" }));
  try {
    await page.goto("/channels");
    await page.getByTestId("new-channel").click();
    await page.getByTestId("channel-name").fill("e2e-flaky-hook");
    await page.getByTestId("channel-type").selectOption("webhook");
    await page.getByTestId("field-url").fill(`${flaky.url}/hook`);
    await page.getByTestId("channel-save").click();
    // A generated signing secret is shown once.
    await expect(page.getByTestId("channel-generated-secret")).toBeVisible();
    await page.getByTestId("test-e2e-flaky-hook").click();
    await expect(page.getByTestId("test-result-e2e-flaky-hook")).toContainText("Failed: the webhook failed (HTTP 503): maintenance window", { timeout: 20_000 });

    await page.goto("/alerts");
    await page.getByTestId("filter-channel").selectOption("e2e-flaky-hook");
    await page.getByTestId("filter-status").selectOption("failed");
    const row = page.locator("[data-testid^=alert-row-]").first();
    await expect(row.getByTestId("alert-error")).toContainText("HTTP 503");
    await row.click();
    await expect(page.getByTestId("alert-attempt-list")).toContainText("error (HTTP 503)");
    await page.screenshot({ path: "test-results/screenshots/alerts-failed.png", fullPage: true });

    flaky.answer(() => ({ status: 200 }));
    await page.getByTestId("alert-resend").click();
    await page.getByTestId("filter-status").selectOption("sent");
    const sent = page.locator("[data-testid^=alert-row-]").first();
    await expect(sent.getByTestId("alert-status")).toHaveText("sent", { timeout: 20_000 });
    await expect(sent.getByTestId("alert-attempts")).toHaveText("2");
    expect(flaky.requests.map((r) => r.answered)).toEqual([503, 200]);
    // The row opened above stays open: both attempts are listed.
    await expect(page.getByTestId("alert-attempt-list").locator("li")).toHaveCount(2);
    await expect(page.getByTestId("alert-attempt-list")).toContainText("sent (HTTP 200)");
    await page.screenshot({ path: "test-results/screenshots/alerts-resent.png", fullPage: true });
  } finally {
    await flaky.close();
  }
});

test("the template preview renders a notify's templates against sample data", async ({ page }) => {
  await page.goto("/channels");
  await page.getByTestId("tpl-title").fill("{{eventName}} by {{user.name}}");
  await page.getByTestId("tpl-message").fill("from {{ip}} at $.unixtime()");
  await page.getByTestId("tpl-sample-data").fill(JSON.stringify({ eventName: "DeleteTrail", user: { name: "mallory" }, ip: "198.51.100.9" }));
  await page.getByTestId("tpl-render").click();
  await expect(page.getByTestId("tpl-result-title")).toHaveText("DeleteTrail by mallory");
  await expect(page.getByTestId("tpl-result-message")).toHaveText(/^from 198\.51\.100\.9 at \d{10}$/);
  await page.getByTestId("tpl-channel-type").selectOption("sms");
  await expect(page.getByTestId("tpl-payload")).toContainText("[HIGH] DeleteTrail by mallory");
  await page.screenshot({ path: "test-results/screenshots/template-preview.png", fullPage: true });
});

import { expect, test } from "@playwright/test";
import { DEMO_NODE_IDS } from "../server/seed/demo-process.ts";
import { createPublishedProcess } from "./fixtures/processes.ts";

/**
 * The walking skeleton crosses every layer: HTTP → PostgreSQL → BullMQ →
 * worker + engine → Redis counters → the canvas in the browser.
 *
 *   Start ─▶ Is console sign-in? ─(eventType == AwsConsoleSignIn)─▶ Console sign-in
 *                    └─(otherwise)─▶ Other events
 */
test("tasks posted over HTTP move through the process and the canvas counters show it", async ({ page, request }) => {
  const proc = await createPublishedProcess({ title: "E2E walking skeleton" });

  await page.goto(`/processes/${proc.id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  const signInCount = page.getByTestId(`node-count-${DEMO_NODE_IDS.signIn}`);
  const otherCount = page.getByTestId(`node-count-${DEMO_NODE_IDS.other}`);
  await expect(signInCount).toHaveText("0");
  await expect(otherCount).toHaveText("0");

  const a = await request.post(proc.directUrl, { data: { eventType: "AwsConsoleSignIn", eventName: "ConsoleLogin" } });
  expect(a.status()).toBe(200);
  expect((await a.json()).ops[0]).toMatchObject({ proc: "ok", obj: "task" });
  const b = await request.post(proc.directUrl, { data: { eventType: "AwsApiCall", eventName: "CreateTrail" } });
  expect(b.status()).toBe(200);

  // The counters refresh from the server within 2 seconds of the change (the canvas polls every second).
  const posted = Date.now();
  await expect(signInCount).toHaveText("1", { timeout: 2_000 });
  await expect(otherCount).toHaveText("1", { timeout: Math.max(1, 2_000 - (Date.now() - posted)) });
  expect(Date.now() - posted).toBeLessThanOrEqual(2_000);
  await expect(page.getByTestId(`node-count-${DEMO_NODE_IDS.condition}`)).toHaveText("0");
  await page.screenshot({ path: "test-results/screenshots/walking-skeleton.png", fullPage: true });
});

test("the login page is what an anonymous visitor gets", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/processes");
  await expect(page).toHaveURL(/\/login\?next=%2Fprocesses$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/login.png" });
  await context.close();
});

test("a wrong password is refused with a message", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill("admin@e2e.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});

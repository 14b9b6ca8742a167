import { expect, test, type Page } from "@playwright/test";
import { createChannel } from "../server/alerts/channel-service.ts";
import { startHttpReceiver } from "../server/alerts/testing/receivers.ts";
import { createSecretBox } from "../server/crypto/secret-box.ts";
import { createDb } from "../server/db/client.ts";
import { DEMO_NODE_IDS } from "../server/seed/demo-process.ts";
import { createPublishedProcess } from "./fixtures/processes.ts";
import { final, node, scheme, start } from "./fixtures/schemes.ts";
import { E2E_BASE_URL, E2E_METRICS_TOKEN, e2eEnv } from "./support/e2e-env.ts";

/**
 * Live dashboards, built through the UI on a published process:
 *
 *   Start ─▶ Is console sign-in? ─(eventType == AwsConsoleSignIn)─▶ Console sign-in
 *                    └─(otherwise)─▶ Other events
 *
 * A count widget on "Console sign-in" and a chart on "Other events"; tasks
 * posted over the Direct URL show on both within 2 seconds. Then the wall
 * mode, the built-in overview and the retention page; the other widget
 * types (Sum totals, funnel, recent alerts, a line chart) on a second
 * dashboard. Last, a Prometheus scraper (no session) at /metrics on the
 * production server.
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

test("Sum totals, a funnel, recent alerts and a line chart render on a dashboard and on the wall", async ({ page, request }) => {
  //   Start ─▶ Tally (Sum: amount, transfers) ─▶ Large? ─(amount ≥ 100)─▶ Notify ─▶ Large
  //                                                  └─────────────────────────▶ Small
  const env = e2eEnv();
  const receiver = await startHttpReceiver(() => ({ status: 200, body: "ok" }));
  try {
    const db = createDb({ databaseUrl: env.DATABASE_URL, poolSize: 1 });
    try {
      await createChannel({ db, box: createSecretBox(env.ENCRYPTION_KEY), input: { name: "e2e-widgets", type: "webhook", settings: {}, secrets: { url: receiver.url, signingSecret: "e2e-widgets-signing-secret-0123456789" }, rate: null } });
    } finally {
      await db.$disconnect();
    }
    const proc = await createPublishedProcess({
      title: "E2E transfers", params: [],
      scheme: scheme(
        start("s", "tally"),
        node("tally", "Tally", [{ type: "api_sum", extra: [{ id: "amount", name: "Amount", value: "{{amount}}" }, { id: "transfers", name: "Transfers", value: "1" }] }, { type: "go", to_node_id: "large-q" }]),
        node("large-q", "Large?", [
          { type: "go_if_const", to_node_id: "notify", conditions: [{ param: "amount", fun: "more_or_eq", const: "100", cast: "number" }] },
          { type: "go", to_node_id: "small" },
        ]),
        node("notify", "Notify", [{ type: "notify", channel: "e2e-widgets", severity: "high", title: "Large transfer of {{amount}}", message: "m" }, { type: "go", to_node_id: "large" }]),
        final("small", "Small"),
        final("large", "Large"),
      ),
    });
    const created = await page.request.post("/api/dashboards", {
      headers: { origin: E2E_BASE_URL },
      data: {
        title: "Transfers",
        widgets: [
          { id: "sums", type: "sum", processId: proc.id, nodeId: "tally", title: "Transferred" },
          { id: "funnel", type: "funnel", processId: proc.id, nodeIds: ["small", "large"], title: "Small and large" },
          { id: "line", type: "chart", processId: proc.id, nodeIds: ["small", "large"], chart: "line", span: 30, width: 2 },
          { id: "alerts", type: "alerts", processId: proc.id, limit: 5, width: 2 },
          { id: "amount", type: "sum", processId: proc.id, nodeId: "tally", sumId: "amount", title: "Amount only" },
        ],
      },
    });
    expect(created.status()).toBe(201);
    const { dashboard } = (await created.json()) as { dashboard: { id: number } };

    await page.goto(`/dashboards/${dashboard.id}`);
    await expect(page.getByTestId("sum-sums-amount")).toHaveText("0");
    for (const amount of [20, 35.5, 150, 7, 420]) expect((await request.post(proc.directUrl, { data: { amount } })).status()).toBe(200);

    await expect(page.getByTestId("sum-sums-amount")).toHaveText("632.5");
    await expect(page.getByTestId("sum-sums-transfers")).toHaveText("5");
    await expect(page.getByTestId("sum-amount-amount")).toHaveText("632.5");
    await expect(page.getByTestId("funnel-funnel")).toContainText("Small3");
    await expect(page.getByTestId("funnel-funnel")).toContainText("Large2");
    await expect(page.getByTestId("chart-line-latest-small")).toHaveText("3");
    await expect(page.getByTestId("alerts-alerts").locator("tbody tr")).toHaveCount(2);
    await expect(page.getByTestId("alerts-alerts")).toContainText("Large transfer of 420");
    await expect(page.getByTestId("alerts-alerts").getByText("sent")).toHaveCount(2, { timeout: 10_000 });
    await page.screenshot({ path: `${shots}/dashboard-widgets.png`, fullPage: true });

    await page.getByTestId("wall-mode").click();
    await expect(page.getByTestId("wall-view")).toBeVisible();
    await expect(page.getByTestId("sum-sums-amount")).toHaveText("632.5");
    await page.screenshot({ path: `${shots}/dashboard-widgets-wall.png`, fullPage: true });
  } finally {
    await receiver.close();
  }
});

test("a Prometheus scraper without a session gets /metrics with the token and a JSON 401 without it, never the login page", async () => {
  // Plain fetch: no cookies, redirects not followed, as a scraper would see it.
  const scrape = (path: string, headers: Record<string, string> = {}) => fetch(`${E2E_BASE_URL}${path}`, { headers, redirect: "manual" });
  for (const path of ["/metrics", "/api/metrics"]) {
    const ok = await scrape(path, { authorization: `Bearer ${E2E_METRICS_TOKEN}` });
    expect(ok.status, path).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await ok.text();
    for (const name of ["conveyor_queue_jobs", "conveyor_tasks_moved_total", "conveyor_step_duration_seconds", "conveyor_workers_live"]) expect(text, `${path} ${name}`).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/^conveyor_workers_live [1-9]/m);

    const anonymous = await scrape(path);
    expect(anonymous.status, `${path} without a token`).toBe(401);
    expect(anonymous.headers.get("location")).toBeNull();
    expect(anonymous.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect((await scrape(path, { authorization: "Bearer not-the-metrics-token" })).status, `${path} wrong token`).toBe(401);
  }
  // Pages still send a visitor without a session to the login page.
  const page = await scrape("/overview");
  expect(page.status).toBe(307);
  expect(page.headers.get("location")).toMatch(/\/login\?next=%2Foverview$/);
});

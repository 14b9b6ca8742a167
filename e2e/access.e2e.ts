import { expect, test, type Page } from "@playwright/test";
import { createDb } from "../server/db/client.ts";
import { createDraftProcess } from "./fixtures/processes.ts";
import { final, id, node, scheme, start } from "./fixtures/schemes.ts";
import { createUser, signedInContext } from "./fixtures/users.ts";
import { expectSaved, selectNode } from "./support/canvas.ts";
import { e2eEnv } from "./support/e2e-env.ts";

/**
 * Who sees which page: anonymous visitors go to the login page, roles without
 * the right get the "not allowed" page. And the invitation flow: an admin
 * invites an editor, who sets a password through the link and signs in with
 * an editor's rights — not an admin's: the editor changes and publishes a
 * process, sees the alert channels without their secrets and cannot manage
 * users; a viewer reads the same process and can change nothing, neither in
 * the UI nor by calling the API with its own session.
 */
const ADMIN_PAGES = ["/admin/users", "/admin/api-users", "/admin/sources", "/admin/audit"];
const READ_PAGES = ["/processes", "/templates", "/account"];

test("anonymous visitors are sent to the login page from every page", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  for (const path of [...READ_PAGES, ...ADMIN_PAGES]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(path).replace(/\//g, "%2F")}$`));
  }
  await context.close();
});

test("viewers and editors read processes but get 'not allowed' on admin pages; admins see them", async ({ browser, page }) => {
  for (const role of ["viewer", "editor"] as const) {
    const context = await signedInContext(browser, await createUser(role));
    const p = await context.newPage();
    for (const path of READ_PAGES) {
      await p.goto(path);
      await expect(p, `${role} ${path}`).toHaveURL(new RegExp(`${path}$`));
    }
    for (const path of ADMIN_PAGES) {
      await p.goto(path);
      await expect(p, `${role} ${path}`).toHaveURL(/\/forbidden$/);
      await expect(p.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    }
    await expect(p.getByRole("link", { name: "Operators" })).toHaveCount(0);
    await context.close();
  }
  for (const path of ADMIN_PAGES) {
    await page.goto(path);
    await expect(page, `admin ${path}`).toHaveURL(new RegExp(`${path}$`));
  }
});

/** What one operator's session gets back from the API: status and body. */
type Answer = { status: number; body: unknown };

/** Calls the API from the page, as the operator signed in there (same origin, session cookie). */
async function call(page: Page, method: string, url: string, body?: unknown): Promise<Answer> {
  return page.evaluate(async ({ method, url, body }) => {
    const r = await fetch(url, { method, headers: body === undefined ? undefined : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: r.status, body: parsed };
  }, { method, url, body });
}

const refused = (role: string, what: string): Answer => ({ status: 403, body: { error: { code: "forbidden", message: `your role (${role}) may not ${what}` } } });

/** Counts rows straight in the e2e database: what a refused request must not have written. */
async function countRows({ processId, folderName, channelName }: { processId: number; folderName: string; channelName: string }) {
  const db = createDb({ databaseUrl: e2eEnv().DATABASE_URL, poolSize: 1 });
  try {
    const [tasks, folders, channels, versions] = await Promise.all([
      db.task.count({ where: { processId } }),
      db.folder.count({ where: { name: folderName } }),
      db.channel.count({ where: { name: channelName } }),
      db.processVersion.count({ where: { processId } }),
    ]);
    return { tasks, folders, channels, versions };
  } finally {
    await db.$disconnect();
  }
}

test.describe.serial("an invited editor and a viewer", () => {
  // The editor wants room: palette, canvas and inspector side by side.
  test.use({ viewport: { width: 1600, height: 1000 } });

  const stamp = Date.now();
  const editor = { email: `invited-${stamp}@e2e.test`, password: "a-new-editor-password" };
  // An alert channel whose webhook URL carries a planted token; only the admin may see it, and only masked.
  const channelName = `access-slack-${stamp}`;
  const planted = `plantedAccessToken${stamp}Zq9`;
  const webhookUrl = `https://hooks.slack.com/services/T0ACCESS/B0ACCESS/${planted}`;
  let processId = 0;

  test("an admin invites an editor, who joins through the link with an editor's rights", async ({ page, browser }) => {
    const email = editor.email;
    await page.goto("/admin/users");
    const form = page.getByTestId("invite-form");
    await form.getByLabel("E-mail").fill(email);
    await form.getByLabel("Name").fill("Invited Editor");
    await form.getByLabel("Role").selectOption("editor");
    await form.getByRole("button", { name: "Invite" }).click();
    const link = await page.getByTestId("invite-link-value").textContent();
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    await expect(page.getByTestId(`user-${email}`)).toContainText("invited");
    await page.screenshot({ path: "test-results/screenshots/admin-users.png", fullPage: true });

    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const invited = await context.newPage();
    await invited.goto(new URL(link!).pathname);
    await invited.getByLabel("Choose a password (10+ characters)").fill(editor.password);
    await invited.getByLabel("Password again").fill(editor.password);
    await invited.screenshot({ path: "test-results/screenshots/accept-invite.png" });
    await invited.getByRole("button", { name: "Set password" }).click();
    await invited.waitForURL(/\/login/);
    await invited.getByLabel("E-mail").fill(email);
    await invited.getByLabel("Password").fill(editor.password);
    await invited.getByRole("button", { name: "Sign in" }).click();
    await invited.waitForURL("**/processes");
    await expect(invited.getByTestId("current-user")).toContainText("editor");

    // The editor cannot manage users, not even by calling the API itself.
    const res = await invited.evaluate(async () => {
      const r = await fetch("/api/admin/users", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "x@e2e.test", name: "x", role: "admin" }) });
      return { status: r.status, body: await r.json() };
    });
    expect(res).toEqual(refused("editor", "manage users"));
    // The link works once.
    await invited.goto(new URL(link!).pathname);
    await expect(invited.getByTestId("invite-invalid")).toBeVisible();
    await context.close();

    await page.reload();
    await expect(page.getByTestId(`user-${email}`)).toContainText("active");
    await page.goto("/admin/audit");
    await expect(page.getByTestId("audit-row").filter({ hasText: "user.invite_accepted" }).first()).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/audit.png", fullPage: true });
  });

  /*
   *  Start ─▶ Triage ─▶ Done
   */
  test("the invited editor changes and publishes a process, sees the channels without their secrets, and cannot manage users", async ({ page, browser }) => {
    // The admin configures a Slack channel; the admin sees its webhook masked, never whole.
    await page.goto("/channels");
    await page.getByTestId("new-channel").click();
    await page.getByTestId("channel-name").fill(channelName);
    await page.getByTestId("channel-type").selectOption("slack");
    await page.getByTestId("field-webhookUrl").fill(webhookUrl);
    await page.getByTestId("channel-save").click();
    const adminRow = page.getByTestId(`channel-row-${channelName}`);
    await expect(adminRow).toContainText("webhook at hooks.slack.com");
    await expect(adminRow).toContainText(`webhookUrl: https://hooks.slack.com/••••${planted.slice(-4)}`);
    expect(await page.content()).not.toContain(planted);

    ({ id: processId } = await createDraftProcess({
      title: `E2E access ${stamp}`,
      scheme: scheme(start(id(1), id(2)), node(id(2), "Triage", [{ type: "go_if_const", to_node_id: id(3), conditions: [{ param: "{{eventType}}", const: "AwsApiCall", fun: "eq", cast: "string" }] }, { type: "go", to_node_id: id(3) }]), final(id(3), "Done")),
    }));

    const context = await signedInContext(browser, editor);
    const ed = await context.newPage();

    // The editor changes a node's title in the inspector, sees it saved, and publishes.
    await ed.goto(`/processes/${processId}`);
    await expect(ed.getByTestId("current-user")).toContainText("editor");
    await expect(ed.getByTestId("process-canvas")).toHaveAttribute("data-editable", "true");
    await expect(ed.getByTestId("palette")).toBeVisible();
    await selectNode(ed, id(2));
    await ed.getByTestId("node-title-input").fill("Triage by the editor");
    await expect(ed.getByTestId(`node-title-${id(2)}`)).toHaveText("Triage by the editor");
    await expectSaved(ed);
    await ed.getByTestId("publish").click();
    await expect(ed.getByTestId("editor-notice")).toContainText("Published version 1");
    await expect(ed.getByTestId("published-version")).toContainText("live v1");
    await ed.screenshot({ path: "test-results/screenshots/editor-role-published.png" });
    // The server has the change in the draft and in version 1.
    const saved = await call(ed, "GET", `/api/processes/${processId}`);
    const proc = saved.body as { draft: { nodes: Array<{ id: string; title: string }> }; published: { version: number; scheme: { nodes: Array<{ id: string; title: string }> } } };
    expect(proc.draft.nodes.find((n) => n.id === id(2))?.title).toBe("Triage by the editor");
    expect(proc.published.version).toBe(1);
    expect(proc.published.scheme.nodes.find((n) => n.id === id(2))?.title).toBe("Triage by the editor");

    // Channels: the editor sees the name and type (to pick it in a notify block), no secret, not even masked,
    // and no way to create, change, test or delete a channel.
    await ed.goto("/channels");
    const row = ed.getByTestId(`channel-row-${channelName}`);
    await expect(row).toContainText(channelName);
    await expect(row).toContainText("Slack");
    await expect(row).toContainText("webhook at hooks.slack.com");
    await expect(ed.getByText("only admins can see or change channels")).toBeVisible();
    await expect(ed.getByTestId("new-channel")).toHaveCount(0);
    await expect(ed.getByTestId("channel-form")).toHaveCount(0);
    await expect(ed.getByTestId(`edit-${channelName}`)).toHaveCount(0);
    await expect(ed.getByTestId(`test-${channelName}`)).toHaveCount(0);
    await expect(row.getByRole("button")).toHaveCount(0);
    // The whole document, the server components' payload included (it carries the form definitions, so
    // "webhookUrl" and the placeholder "https://hooks.slack.com/services/…" are there; the value is not).
    const html = await ed.content();
    for (const leak of [planted, planted.slice(-4), "T0ACCESS", "B0ACCESS", "••••"]) expect(html, leak).not.toContain(leak);
    await ed.screenshot({ path: "test-results/screenshots/editor-role-channels.png", fullPage: true });

    // Nor through the API with the editor's own session.
    const list = await call(ed, "GET", "/api/channels");
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(planted);
    expect(JSON.stringify(list.body)).not.toContain("T0ACCESS");
    const listed = (list.body as { channels: Array<Record<string, unknown>> }).channels.find((c) => c.name === channelName)!;
    expect(listed).toMatchObject({ name: channelName, type: "slack", summary: "webhook at hooks.slack.com" });
    expect(listed).not.toHaveProperty("secrets");
    const one = await call(ed, "GET", `/api/channels/${String(listed.id)}`);
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).not.toContain(planted);
    expect((one.body as { channel: Record<string, unknown> }).channel).not.toHaveProperty("secrets");
    const manage = refused("editor", "manage alert channels");
    expect(await call(ed, "POST", "/api/channels", { name: `editor-made-${stamp}`, type: "slack", secrets: { webhookUrl: "https://hooks.slack.com/services/T/B/editor" } })).toEqual(manage);
    expect(await call(ed, "PATCH", `/api/channels/${String(listed.id)}`, { secrets: { webhookUrl: "https://hooks.slack.com/services/T/B/stolen" } })).toEqual(manage);
    expect(await call(ed, "POST", `/api/channels/${String(listed.id)}/test`, {})).toEqual(manage);
    expect(await call(ed, "DELETE", `/api/channels/${String(listed.id)}`)).toEqual(manage);

    // Users: the page is "not allowed", and so is the API.
    await ed.goto("/admin/users");
    await expect(ed).toHaveURL(/\/forbidden$/);
    await expect(ed.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    expect(await call(ed, "POST", "/api/admin/users", { email: `editor-made-${stamp}@e2e.test`, name: "x", role: "admin" })).toEqual(refused("editor", "manage users"));
    await context.close();

    // The channel is as the admin left it: its secret unchanged, the editor's channel never made.
    await page.reload();
    await expect(adminRow).toContainText(`webhookUrl: https://hooks.slack.com/••••${planted.slice(-4)}`);
    await expect(page.getByTestId(`channel-row-editor-made-${stamp}`)).toHaveCount(0);
  });

  test("a viewer opens the same process and can change nothing, in the UI or through the API", async ({ browser }) => {
    expect(processId, "the editor's test created the process").toBeGreaterThan(0);
    const context = await signedInContext(browser, await createUser("viewer"));
    const v = await context.newPage();

    // The live view: the canvas is read-only; no palette, no publish, no new task (though version 1 is live).
    await v.goto(`/processes/${processId}`);
    await expect(v.getByTestId("current-user")).toContainText("viewer");
    await expect(v.getByTestId(`node-title-${id(2)}`)).toHaveText("Triage by the editor");
    await expect(v.getByTestId("published-version")).toContainText("live v1");
    await expect(v.getByTestId("process-canvas")).toHaveAttribute("data-editable", "false");
    await expect(v.getByTestId("palette")).toHaveCount(0);
    await expect(v.getByTestId("publish")).toHaveCount(0);
    await expect(v.getByTestId("new-task")).toHaveCount(0);
    await expect(v.getByTestId("save-status")).toHaveCount(0);
    await v.screenshot({ path: "test-results/screenshots/viewer-live.png" });

    // The draft: readable, still not editable; the inspector's fields are read-only.
    await v.getByTestId("mode-edit").click();
    await expect(v.getByTestId("mode-edit")).toHaveText("Draft");
    await expect(v.getByTestId("process-canvas")).toHaveAttribute("data-editable", "false");
    await expect(v.getByTestId("palette")).toHaveCount(0);
    await expect(v.getByTestId("publish")).toHaveCount(0);
    await selectNode(v, id(2));
    await expect(v.getByTestId("node-title-input")).toHaveValue("Triage by the editor");
    await expect(v.getByTestId("node-title-input")).not.toBeEditable();
    // Template fields too (they offer suggestions as you type when editable).
    await expect(v.getByTestId("branch-0-param-0")).toHaveValue("{{eventType}}");
    await expect(v.getByTestId("branch-0-param-0")).not.toBeEditable();
    await v.keyboard.press("Delete");
    await expect(v.getByTestId(`node-${id(2)}`)).toBeVisible();
    await v.screenshot({ path: "test-results/screenshots/viewer-editor.png" });

    // The process list offers no folder or process to create.
    await v.goto("/processes");
    await expect(v.getByTestId("new-folder")).toHaveCount(0);

    // The API, called with the viewer's own session from the app's origin, refuses every change.
    const before = (await call(v, "GET", `/api/processes/${processId}`)).body as { draftRevision: number; draft: unknown; title: string };
    const folderName = `viewer-folder-${stamp}`;
    const viewerChannel = `viewer-channel-${stamp}`;
    const changeProcesses = refused("viewer", "change processes");
    expect(await call(v, "PUT", `/api/processes/${processId}/draft`, { revision: before.draftRevision, scheme: before.draft, params: [] })).toEqual(changeProcesses);
    expect(await call(v, "POST", `/api/processes/${processId}/publish`)).toEqual(changeProcesses);
    expect(await call(v, "PATCH", `/api/processes/${processId}`, { title: "Renamed by a viewer" })).toEqual(changeProcesses);
    expect(await call(v, "POST", "/api/processes", { title: "Made by a viewer" })).toEqual(changeProcesses);
    expect(await call(v, "POST", "/api/folders", { name: folderName })).toEqual(changeProcesses);
    expect(await call(v, "POST", `/api/processes/${processId}/tasks`, { ref: `viewer-${stamp}`, data: { from: "viewer" } })).toEqual(refused("viewer", "create or change tasks"));
    expect(await call(v, "POST", "/api/channels", { name: viewerChannel, type: "slack", secrets: { webhookUrl: "https://hooks.slack.com/services/T/B/viewer" } })).toEqual(refused("viewer", "manage alert channels"));
    // A viewer does not even read the channels.
    expect(await call(v, "GET", "/api/channels")).toEqual(refused("viewer", "read alert channels"));
    await v.goto("/channels");
    await expect(v).toHaveURL(/\/forbidden$/);

    // Nothing was written.
    const after = (await call(v, "GET", `/api/processes/${processId}`)).body as { draftRevision: number; title: string; published: { version: number } };
    expect(after).toMatchObject({ draftRevision: before.draftRevision, title: before.title, published: { version: 1 } });
    expect(await countRows({ processId, folderName, channelName: viewerChannel })).toEqual({ tasks: 0, folders: 0, channels: 0, versions: 1 });
    await context.close();
  });
});

import { expect, test } from "@playwright/test";
import { createUser, signedInContext } from "./fixtures/users.ts";

/**
 * Who sees which page: anonymous visitors go to the login page, roles without
 * the right get the "not allowed" page. And the invitation flow: an admin
 * invites an editor, who sets a password through the link and signs in with
 * an editor's rights — not an admin's.
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

test("an admin invites an editor, who joins through the link with an editor's rights", async ({ page, browser }) => {
  const email = `invited-${Date.now()}@e2e.test`;
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
  await invited.getByLabel("Choose a password (10+ characters)").fill("a-new-editor-password");
  await invited.getByLabel("Password again").fill("a-new-editor-password");
  await invited.screenshot({ path: "test-results/screenshots/accept-invite.png" });
  await invited.getByRole("button", { name: "Set password" }).click();
  await invited.waitForURL(/\/login/);
  await invited.getByLabel("E-mail").fill(email);
  await invited.getByLabel("Password").fill("a-new-editor-password");
  await invited.getByRole("button", { name: "Sign in" }).click();
  await invited.waitForURL("**/processes");
  await expect(invited.getByTestId("current-user")).toContainText("editor");

  // The editor cannot manage users, not even by calling the API itself.
  const res = await invited.evaluate(async () => {
    const r = await fetch("/api/admin/users", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "x@e2e.test", name: "x", role: "admin" }) });
    return { status: r.status, body: await r.json() };
  });
  expect(res).toEqual({ status: 403, body: { error: { code: "forbidden", message: "your role (editor) may not user manage" } } });
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

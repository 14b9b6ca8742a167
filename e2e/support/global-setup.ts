import { chromium, type FullConfig } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { E2E_ADMIN, E2E_BASE_URL } from "./e2e-env.ts";

/** Signs the admin in once through the real login page and saves the session for all tests. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const use = config.projects[0].use;
  // /api/health answers before a worker is live; wait for the worker too.
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${E2E_BASE_URL}/api/health`).catch(() => null);
    if (res?.ok && ((await res.json()) as { workers: { live: number } }).workers.live > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const browser = await chromium.launch(use.launchOptions);
  const page = await browser.newPage({ baseURL: E2E_BASE_URL });
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/processes");
  mkdirSync("test-results/.auth", { recursive: true });
  await page.context().storageState({ path: "test-results/.auth/admin.json" });
  await browser.close();
}

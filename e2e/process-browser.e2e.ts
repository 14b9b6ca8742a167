import path from "node:path";
import { expect, test } from "@playwright/test";

test.use({ viewport: { width: 1440, height: 900 } });

const exampleFile = path.resolve(import.meta.dirname, "../engine/testing/fixtures/106317_folder.json");

/**
 * The process browser: folders, an import of the CloudTrail example through
 * the file picker, search, rename, move, duplicate and a confirmed delete.
 */
test("processes in folders: import the example, search, rename, move, duplicate, delete with confirmation", async ({ page }) => {
  await page.goto("/processes");
  await page.getByTestId("new-folder").click();
  await page.getByTestId("new-folder-input").fill("Security (e2e)");
  await page.getByTestId("new-folder-submit").click();
  const security = page.locator('[data-testid^="folder-"]').filter({ hasText: "Security (e2e)" });
  await security.click();

  await page.getByTestId("import-file").setInputFiles(exampleFile);
  const result = page.getByTestId("import-result");
  await expect(result).toContainText("3 process(es) and 1 folder(s) from a Corezoid export");
  await expect(result.getByText("published")).toHaveCount(3);
  await page.screenshot({ path: "test-results/screenshots/process-browser-imported.png" });
  await result.getByRole("button", { name: "Close" }).click();

  const imported = page.locator('[data-testid^="folder-"]').filter({ hasText: "CloudTrail Event Processing" });
  await imported.click();
  await expect(page.locator('[data-testid^="process-row-"]')).toHaveCount(3);
  await expect(page.locator("h1")).toHaveText("Security (e2e) / CloudTrail Event Processing");

  await page.getByTestId("process-search").fill("non-api");
  await expect(page.locator('[data-testid^="process-row-"]')).toHaveCount(1);
  await page.getByTestId("process-search").fill("");

  const apiChecks = page.locator('[data-testid^="process-row-"]').filter({ hasText: "03 - Api checks" });
  const apiId = (await apiChecks.getAttribute("data-testid"))!.replace("process-row-", "");
  await page.getByTestId(`process-actions-${apiId}`).click();
  await page.getByTestId(`rename-${apiId}`).click();
  await page.getByTestId("rename-input").fill("03 - API checks");
  await page.getByTestId("rename-submit").click();
  await expect(page.getByTestId(`process-row-${apiId}`)).toContainText("03 - API checks");

  await page.getByTestId(`process-actions-${apiId}`).click();
  await page.getByTestId(`move-${apiId}`).click();
  await page.getByTestId("move-folder").selectOption({ label: "Security (e2e)" });
  await page.getByTestId("move-save").click();
  await expect(page.locator('[data-testid^="process-row-"]')).toHaveCount(2);
  await security.click();
  await expect(page.getByTestId(`process-row-${apiId}`)).toBeVisible(); // the folder shows what is below it too

  await page.getByTestId(`process-actions-${apiId}`).click();
  await page.getByTestId(`duplicate-${apiId}`).click();
  const copy = page.locator('[data-testid^="process-row-"]').filter({ hasText: "03 - API checks (copy)" });
  await expect(copy).toBeVisible();
  await expect(copy).toContainText("draft");
  const copyId = (await copy.getAttribute("data-testid"))!.replace("process-row-", "");

  // Deleting asks first; cancelling keeps the process.
  await page.getByTestId(`process-actions-${copyId}`).click();
  await page.getByTestId(`delete-${copyId}`).click();
  await expect(page.getByTestId("delete-dialog")).toContainText("cannot be undone");
  await page.getByTestId("delete-dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(copy).toBeVisible();
  await page.getByTestId(`process-actions-${copyId}`).click();
  await page.getByTestId(`delete-${copyId}`).click();
  await page.getByTestId("delete-confirm").click();
  await expect(copy).toHaveCount(0);

  // A folder that still holds processes is not deleted.
  const securityId = (await security.getAttribute("data-testid"))!.replace("folder-", "");
  await page.getByTestId(`folder-actions-${securityId}`).click();
  await page.getByTestId(`delete-folder-${securityId}`).click();
  await page.getByTestId("delete-folder-confirm").click();
  await expect(page.getByTestId("delete-folder-dialog")).toContainText("is not empty");
  await page.screenshot({ path: "test-results/screenshots/process-browser-folder-not-empty.png" });
});

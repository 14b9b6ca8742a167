import { expect, type Locator, type Page } from "@playwright/test";

/** Helpers that drive the editor's canvas the way an operator does: drag, connect, select. */

/** Drags a palette block onto the canvas at (x, y) relative to the canvas; returns the new node's id. */
export async function dropBlock(page: Page, kind: string, x: number, y: number): Promise<string> {
  const before = await nodeIds(page);
  await page.getByTestId(`palette-${kind}`).dragTo(page.getByTestId("process-canvas"), { targetPosition: { x, y } });
  await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length + 1);
  const id = (await nodeIds(page)).find((n) => !before.includes(n));
  if (!id) throw new Error(`no node appeared after dropping ${kind}`);
  return id;
}

export async function nodeIds(page: Page): Promise<string[]> {
  return page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id") ?? ""));
}

/** The centre of an element once it stops moving (zoom-to-fit animates the viewport). */
async function center(l: Locator): Promise<{ x: number; y: number }> {
  let last = "";
  for (let i = 0; i < 40; i++) {
    const box = await l.boundingBox();
    if (!box) throw new Error("element not visible");
    const now = JSON.stringify(box);
    if (now === last) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    last = now;
    await l.page().waitForTimeout(60);
  }
  throw new Error("element kept moving");
}

/** Draws a link from a node's port (next, cond-0, err-0, timeout, ...) to another node's input. */
export async function connect(page: Page, source: string, handle: string, target: string): Promise<void> {
  const from = await center(page.getByTestId(`handle-${source}-${handle}`));
  const to = await center(page.getByTestId(`handle-${target}-in`));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 8 });
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

/** Selects a node by clicking its title (not a port). */
export async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByTestId(`node-title-${id}`).click();
  await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", id);
}

export async function expectSaved(page: Page): Promise<void> {
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved", { timeout: 10_000 });
}

/** The ids of the edges on the canvas as `source>target`. */
export async function links(page: Page): Promise<string[]> {
  return page.locator(".react-flow__edge").evaluateAll((els) => els.map((e) => {
    const id = e.getAttribute("data-id") ?? "";
    return id;
  }));
}

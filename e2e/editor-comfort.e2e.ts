import { expect, test, type Page } from "@playwright/test";
import { createDraftProcess } from "./fixtures/processes.ts";
import { final, id, node, scheme, start } from "./fixtures/schemes.ts";
import { expectSaved, nodeIds, selectNode } from "./support/canvas.ts";

// The editor wants room: palette, canvas and inspector side by side.
test.use({ viewport: { width: 1600, height: 1000 } });

/*
 *  Start ─▶ Enrich (set param) ─▶ Alert (notify) ─▶ Done
 */
function chain() {
  return scheme(
    start(id(1), id(2), 400, 40),
    node(id(2), "Enrich", [{ type: "set_param", extra: { severity: "high" }, extra_type: { severity: "string" } }, { type: "go", to_node_id: id(3) }], 360, 160),
    node(id(3), "Alert", [{ type: "notify", channel: "ops", title: "Root login", message: "{{eventName}}", severity: "high", err_node_id: "", chTime: 1476951203862 }, { type: "go", to_node_id: id(4) }], 360, 300),
    final(id(4), "Done", 400, 440),
  );
}

async function open(page: Page, processId: number) {
  await page.goto(`/processes/${processId}`);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
}

const mod = "ControlOrMeta";

test("undo and redo: a deleted node and its links come back, the draft saves each state", async ({ page }) => {
  const { id: pid } = await createDraftProcess({ title: "E2E undo/redo", scheme: chain() });
  await open(page, pid);
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);

  await selectNode(page, id(3));
  await page.keyboard.press("Delete");
  await expect(page.getByTestId(`node-${id(3)}`)).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1); // Start ─▶ Enrich; Enrich's exit is now open
  await expect(page.getByTestId("problem-count")).toHaveText("2"); // Enrich's open exit, unreachable Done

  await page.keyboard.press(`${mod}+z`);
  await expect(page.getByTestId(`node-${id(3)}`)).toBeVisible();
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(page.getByTestId("problem-count")).toHaveCount(0);

  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(page.getByTestId(`node-${id(3)}`)).toHaveCount(0);
  await page.getByTestId("undo").click();
  await expect(page.getByTestId(`node-${id(3)}`)).toBeVisible();

  // Renaming in the inspector is one undo step however many keys were typed.
  await selectNode(page, id(2));
  await page.getByTestId("node-title-input").press("End");
  await page.getByTestId("node-title-input").pressSequentially(" user", { delay: 20 });
  await expect(page.getByTestId(`node-title-${id(2)}`)).toHaveText("Enrich user");
  await page.getByTestId("undo").click();
  await expect(page.getByTestId(`node-title-${id(2)}`)).toHaveText("Enrich");
  await page.getByTestId("redo").click();
  await expect(page.getByTestId(`node-title-${id(2)}`)).toHaveText("Enrich user");

  await expectSaved(page);
  await page.reload();
  await expect(page.getByTestId(`node-title-${id(2)}`)).toHaveText("Enrich user");
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
});

test("copy and paste nodes into another process: links between the copies and unknown logic fields travel along", async ({ page }) => {
  const a = await createDraftProcess({ title: "E2E copy source", scheme: chain() });
  const b = await createDraftProcess({ title: "E2E paste target", scheme: scheme(start(id(1), "", 400, 40)) });
  await open(page, a.id);
  await selectNode(page, id(2));
  await page.getByTestId(`node-title-${id(3)}`).click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("multi-selection")).toContainText("2 nodes selected");
  await page.keyboard.press(`${mod}+c`);

  await open(page, b.id);
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  await page.getByTestId("process-canvas").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press(`${mod}+v`);
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  const pasted = (await nodeIds(page)).filter((n) => n !== id(1));
  expect(pasted.every((n) => /^[0-9a-f]{24}$/.test(n) && n !== id(2) && n !== id(3))).toBe(true);
  await expect(page.locator(".react-flow__node").filter({ hasText: "Enrich" })).toHaveCount(1);
  await expect(page.locator(".react-flow__node").filter({ hasText: "Alert" })).toHaveCount(1);
  // Enrich ─▶ Alert came along; Alert's link to Done (not copied) was cleared.
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expectSaved(page);

  const draft = await (await page.request.get(`/api/processes/${b.id}`)).json() as { draft: { nodes: Array<{ title: string; condition: { logics: Array<Record<string, unknown>> } }> } };
  const alert = draft.draft.nodes.find((n) => n.title === "Alert")!;
  expect(alert.condition.logics[0]).toMatchObject({ type: "notify", channel: "ops", chTime: 1476951203862 });
  expect(alert.condition.logics[1]).toMatchObject({ type: "go", to_node_id: "" });

  // Paste again in the same process: another independent copy.
  await page.getByTestId("paste").click();
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await page.screenshot({ path: "test-results/screenshots/editor-pasted.png" });
});

test("auto-layout spreads a pile of nodes top to bottom, and the new positions are saved", async ({ page }) => {
  const pile = scheme(
    start(id(1), id(2), 0, 0),
    node(id(2), "Route", [{ type: "go_if_const", to_node_id: id(3), conditions: [{ param: "x", const: "1", fun: "eq", cast: "string" }] }, { type: "go", to_node_id: id(4) }], 0, 0),
    final(id(3), "One", 0, 0),
    final(id(4), "Other", 0, 0, "error"),
  );
  const { id: pid } = await createDraftProcess({ title: "E2E auto-layout", scheme: pile });
  await open(page, pid);
  await page.getByTestId("auto-layout").click();
  await expectSaved(page);
  const boxes = async () => Object.fromEntries(await Promise.all([1, 2, 3, 4].map(async (n) => [n, (await page.getByTestId(`node-${id(n)}`).boundingBox())!] as const)));
  await expect.poll(async () => {
    const b = await boxes();
    return b[1].y + b[1].height <= b[2].y && b[2].y + b[2].height <= Math.min(b[3].y, b[4].y);
  }).toBe(true);
  const b = await boxes();
  const overlap = (p: typeof b[1], q: typeof b[1]) => p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
  for (const i of [1, 2, 3, 4]) for (const j of [1, 2, 3, 4]) if (i < j) expect(overlap(b[i], b[j]), `nodes ${i} and ${j} overlap`).toBe(false);
  await page.screenshot({ path: "test-results/screenshots/editor-auto-layout.png" });

  const saved = await (await page.request.get(`/api/processes/${pid}`)).json() as { draft: { nodes: Array<{ id: string; x: number; y: number }> } };
  const pos = Object.fromEntries(saved.draft.nodes.map((n) => [n.id, n]));
  expect(pos[id(1)].y).toBeLessThan(pos[id(2)].y);
  expect(pos[id(2)].y).toBeLessThan(pos[id(3)].y);
  expect(pos[id(3)].x).not.toBe(pos[id(4)].x);

  // Undo puts the pile back.
  await page.keyboard.press(`${mod}+z`);
  await expectSaved(page);
  const undone = await (await page.request.get(`/api/processes/${pid}`)).json() as { draft: { nodes: Array<{ x: number; y: number }> } };
  expect(undone.draft.nodes.every((n) => n.x === 0 && n.y === 0)).toBe(true);
});

// Editor benchmark: a 300-node process in the production build, in Chromium.
//   node --import tsx scripts/bench-editor.ts      (build first: npx next build)
// Measures (1) opening the editor: navigation start → every node painted
// (measured by React Flow and visible), cold and warm; (2) dragging one node
// and a selection of 30 nodes: frame intervals while the mouse moves.
// Uses its own database (conveyor_bench_editor), Redis database 7 and port 3198.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { applyMigrations } from "../server/db/migrate.ts";
import { createDb } from "../server/db/client.ts";
import { createProcess, publishProcess, type SchemeJson } from "../server/processes/process-service.ts";
import { createOperator } from "../server/seed/seed.ts";
import { recreateDatabase } from "../server/testing/global-setup.ts";
import { testEnv, testUrls, withDatabaseName } from "../server/testing/test-env.ts";
import { layoutPositions } from "../components/editor/model/layout.ts";
import { parseScheme } from "../engine/index.ts";

const root = path.resolve(import.meta.dirname, "..");
const PORT = Number(process.env.BENCH_EDITOR_PORT ?? 3198);
const NODES = Number(process.env.BENCH_EDITOR_NODES ?? 300);
const RUNS = Number(process.env.BENCH_EDITOR_RUNS ?? 5);
const base = `http://127.0.0.1:${PORT}`;
const admin = { email: "bench@editor.test", password: "bench-editor-password-1" };

/**
 * A process shaped like a big router: Start, then layers of a condition with
 * two branches (an enrichment Set Parameter that continues to the next layer,
 * an alert Notify ending in a final) and a default error final.
 */
function bigScheme(total: number): SchemeJson {
  const hex = (n: number) => n.toString(16).padStart(24, "0");
  const nodes: Array<Record<string, unknown> & { id: string; obj_type: number }> = [];
  const extra = (icon = "") => JSON.stringify({ modeForm: "expand", icon });
  let n = 1;
  const layers = Math.floor((total - 2) / 4);
  nodes.push({ id: hex(n++), obj_type: 1, title: "Start", extra: extra(), condition: { logics: [{ type: "go", to_node_id: hex(2) }], semaphors: [] } });
  for (let l = 0; l < layers; l++) {
    const [cond, enrich, alert, fin] = [n, n + 1, n + 2, n + 3].map(hex);
    const next = l === layers - 1 ? hex(2 + layers * 4) : hex(n + 4);
    n += 4;
    nodes.push({ id: cond, obj_type: 0, title: `Route ${l}`, extra: extra(), condition: { logics: [
      { type: "go_if_const", to_node_id: enrich, conditions: [{ param: "eventName", const: `Event${l}`, fun: "eq", cast: "string" }] },
      { type: "go_if_const", to_node_id: alert, conditions: [{ param: "severity", const: "high", fun: "eq", cast: "string" }] },
      { type: "go", to_node_id: fin },
    ], semaphors: [] } });
    nodes.push({ id: enrich, obj_type: 0, title: `Enrich ${l}`, extra: extra(), condition: { logics: [{ type: "set_param", extra: { [`layer${l}`]: "{{eventName}}" }, extra_type: { [`layer${l}`]: "string" } }, { type: "go", to_node_id: next }], semaphors: [] } });
    nodes.push({ id: alert, obj_type: 0, title: `Alert ${l}`, extra: extra(), condition: { logics: [{ type: "notify", channel: "ops", title: `Layer ${l}`, message: "{{eventName}}", severity: "high" }, { type: "go", to_node_id: fin }], semaphors: [] } });
    nodes.push({ id: fin, obj_type: 2, title: `Done ${l}`, extra: extra("success"), condition: { logics: [], semaphors: [] } });
  }
  // The rest: a chain of Set Parameter nodes after the last layer, ending in a final.
  while (nodes.length < total - 1) {
    nodes.push({ id: hex(n), obj_type: 0, title: `Tidy ${nodes.length}`, extra: extra(), condition: { logics: [{ type: "set_param", extra: { tidy: "1" }, extra_type: { tidy: "number" } }, { type: "go", to_node_id: hex(n + 1) }], semaphors: [] } });
    n++;
  }
  nodes.push({ id: hex(n), obj_type: 2, title: "End", extra: extra("success"), condition: { logics: [], semaphors: [] } });
  const scheme = { nodes, web_settings: [[], []] } as SchemeJson;
  const pos = layoutPositions(parseScheme(scheme));
  for (const node of scheme.nodes) Object.assign(node, pos[node.id]);
  return scheme;
}

async function allNodesPainted(page: Page, count: number): Promise<number> {
  await page.waitForFunction((n) => {
    const els = document.querySelectorAll(".react-flow__node");
    if (els.length !== n) return false;
    for (const el of els) if ((el as HTMLElement).style.visibility === "hidden" || el.getBoundingClientRect().width === 0) return false;
    return true;
  }, count, { timeout: 30_000, polling: "raf" });
  // The frame after the last node became visible has been painted.
  return page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))));
}

/** Node positions as React Flow places them (the transform of each node element). */
function positions(page: Page): Promise<Record<string, string>> {
  return page.locator(".react-flow__node").evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute("data-id"), (e as HTMLElement).style.transform])));
}

async function dragFrames(page: Page, grab: { x: number; y: number }, steps: number, dx: number, dy: number) {
  const before = await positions(page);
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    // Input-to-frame latency: from each pointer move's timestamp to the frame after its handlers ran.
    window.__lat = [];
    if (!window.__latHooked) {
      window.__latHooked = true;
      document.addEventListener("pointermove", (e) => { const t = e.timeStamp; requestAnimationFrame(() => window.__lat.push(performance.now() - t)); }, { capture: true });
    }
    const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  const t0 = Date.now();
  for (let i = 1; i <= steps; i++) await page.mouse.move(grab.x + (dx * i) / steps, grab.y + (dy * i) / steps);
  await page.mouse.up();
  const wall = Date.now() - t0;
  await page.waitForTimeout(300); // let the last event entries arrive
  const { frames, slow } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean; __lat: number[] };
    w.__stop = true;
    return { frames: w.__frames, slow: w.__lat };
  });
  const after = await positions(page);
  const moved = Object.keys(after).filter((k) => after[k] !== before[k]).length;
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  slow.sort((a, b) => a - b);
  return { moved, events: slow.length, latP50: slow[Math.floor(slow.length / 2)] ?? 0, latP95: slow[Math.floor(slow.length * 0.95)] ?? 0, latMax: slow[slow.length - 1] ?? 0, moves: steps, wallMs: wall, frames: frames.length, meanFrameMs: mean, p95FrameMs: gaps[Math.floor(gaps.length * 0.95)], maxFrameMs: gaps[gaps.length - 1], fps: 1000 / mean };
}

async function main() {
  if (!existsSync(path.join(root, ".next/BUILD_ID"))) throw new Error("build the app first: npx next build");
  const { databaseUrl, redisUrl } = testUrls();
  const r = new URL(redisUrl);
  r.pathname = "/7";
  const env = { ...testEnv(), DATABASE_URL: withDatabaseName(databaseUrl, "conveyor_bench_editor"), REDIS_URL: r.toString(), QUEUE_PREFIX: "conveyor-bench-editor", APP_URL: base, LOG_LEVEL: "warn" };
  await recreateDatabase(env.DATABASE_URL);
  await applyMigrations({ databaseUrl: env.DATABASE_URL, dir: path.join(root, "prisma/migrations") });
  const db = createDb({ databaseUrl: env.DATABASE_URL, poolSize: 2 });
  await createOperator({ db, email: admin.email, name: "Bench", password: admin.password, role: "admin" });
  const scheme = bigScheme(NODES);
  const { id } = await createProcess({ db, title: `Benchmark: ${NODES} nodes`, scheme });
  await publishProcess({ db, processId: id });
  await db.$disconnect();

  const web = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", String(PORT)], {
    cwd: root, stdio: "ignore", env: { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } as NodeJS.ProcessEnv,
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    for (let i = 0; i < 200 && !(await fetch(`${base}/api/health`).then(() => true).catch(() => false)); i++) await new Promise((res) => setTimeout(res, 250));
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/processes");

    const opens: number[] = [];
    const phases: string[] = [];
    for (let run = 0; run <= RUNS; run++) {
      await page.goto(`/processes/${id}`);
      opens.push(await allNodesPainted(page, NODES));
      const nav = await page.evaluate(() => {
        const e = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        return { ttfb: e.responseStart, html: e.responseEnd, dcl: e.domContentLoadedEventEnd, load: e.loadEventEnd };
      });
      phases.push(`first byte ${nav.ttfb.toFixed(0)} ms, HTML ${nav.html.toFixed(0)} ms, DOMContentLoaded ${nav.dcl.toFixed(0)} ms, load ${nav.load.toFixed(0)} ms`);
    }
    const [cold, ...warm] = opens;
    warm.sort((a, b) => a - b);

    // Drag one node (grabbed by its title), then all nodes selected together, at the zoom that fits them all.
    const grabOf = async (nodeId: string) => {
      const b = (await page.getByTestId(`node-title-${nodeId}`).boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const middle = (await page.locator(".react-flow__node").nth(Math.floor(NODES / 2)).getAttribute("data-id"))!;
    const one = await dragFrames(page, await grabOf(middle), 60, 240, 120);
    await page.keyboard.press("Escape");
    await page.keyboard.press("ControlOrMeta+a");
    const selected = await page.locator(".react-flow__node.selected").count();
    if (selected !== NODES) throw new Error(`select all selected ${selected} of ${NODES} nodes`);
    const many = await dragFrames(page, await grabOf(middle), 60, 200, 100);
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    console.log(`\nEditor benchmark: ${NODES} nodes, ${RUNS} warm opens (Chromium headless, software rendering)`);
    console.log(`machine: ${cpus().length} cores, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" / ")} (1 / 5 / 15 min)`);
    console.log(`open, cold (first visit): navigation → all ${NODES} nodes painted: ${ms(cold)}`);
    console.log(`  cold phases: ${phases[0]}\n  last warm phases: ${phases[phases.length - 1]}`);
    console.log(`open, warm: median ${ms(warm[Math.floor(warm.length / 2)])}, worst ${ms(warm[warm.length - 1])}`);
    for (const [what, d] of [["drag 1 node", one], [`drag all ${NODES} nodes (selected)`, many]] as const) {
      console.log(`${what} (${d.moved} moved): ${d.moves} mouse moves in ${ms(d.wallMs)}, ${d.frames} frames, mean frame ${d.meanFrameMs.toFixed(1)} ms (${d.fps.toFixed(0)} fps), p95 ${d.p95FrameMs.toFixed(1)} ms, worst ${d.maxFrameMs.toFixed(1)} ms; input → next frame over ${d.events} moves: p50 ${d.latP50.toFixed(1)} ms, p95 ${d.latP95.toFixed(1)} ms, worst ${d.latMax.toFixed(1)} ms`);
    }
  } finally {
    await browser.close();
    web.kill("SIGTERM");
  }
}

await main();

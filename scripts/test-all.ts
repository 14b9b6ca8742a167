// `npm test`: the whole suite — typecheck, lint, unit and integration tests
// (real PostgreSQL and Redis), a production build, and end-to-end tests in
// Chromium. Each runner's own output streams through; the last line is the
// sum over all runners: `N passed, N failed`. Exit code 1 when anything failed.
//   npm test -- --skip-e2e     (everything but the build and Playwright)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, ".ci/out");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const skipE2e = process.argv.includes("--skip-e2e");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);

interface Tally { stage: string; passed: number; failed: number; seconds: number }
const tallies: Tally[] = [];

function run(stage: string, cmd: string, args: string[], env: Record<string, string> = {}): number {
  console.log(`\n━━ ${stage} ━━ ${[path.basename(cmd), ...args].join(" ")}`);
  const t0 = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, FORCE_COLOR: process.env.CI ? "0" : "1", ...env } as NodeJS.ProcessEnv });
  const seconds = (Date.now() - t0) / 1000;
  const status = res.status ?? 1;
  tallies.push({ stage, passed: 0, failed: 0, seconds });
  return status;
}
const record = (passed: number, failed: number) => {
  const t = tallies[tallies.length - 1];
  t.passed = passed;
  t.failed = failed;
};
const readJson = <T>(file: string): T | null => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
};

// 1. Typecheck and lint count as one check each.
record(...((run("typecheck", bin("tsc"), ["--noEmit", "-p", "."]) === 0 ? [1, 0] : [0, 1]) as [number, number]));
record(...((run("lint", bin("eslint"), [".", "--max-warnings=0"]) === 0 ? [1, 0] : [0, 1]) as [number, number]));

// 2. Vitest: unit + integration projects.
{
  const file = path.join(out, "vitest.json");
  const status = run("unit + integration (vitest)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`]);
  type V = { numPassedTests: number; numFailedTests: number; testResults: Array<{ status: string; assertionResults: unknown[] }> };
  const v = readJson<V>(file);
  if (!v) record(0, 1);
  else {
    // A file that failed to load has no assertions but is a failure.
    const brokenFiles = v.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length;
    record(v.numPassedTests, v.numFailedTests + brokenFiles + (status !== 0 && v.numFailedTests + brokenFiles === 0 ? 1 : 0));
  }
}

// 3. Production build, then Playwright against it.
if (!skipE2e) {
  const built = run("build (next build)", bin("next"), ["build"], { NEXT_TELEMETRY_DISABLED: "1" }) === 0;
  record(built ? 1 : 0, built ? 0 : 1);
  if (built) {
    const file = path.join(out, "playwright.json");
    const status = run("end-to-end (playwright, chromium)", bin("playwright"), ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
    type P = { stats: { expected: number; unexpected: number; flaky: number }; errors?: unknown[] };
    const p = existsSync(file) ? readJson<P>(file) : null;
    if (!p) record(0, 1);
    else {
      const failed = p.stats.unexpected + (p.errors?.length ?? 0);
      record(p.stats.expected + p.stats.flaky, failed + (status !== 0 && failed === 0 ? 1 : 0));
    }
  }
}

console.log("\n━━ summary ━━");
for (const t of tallies) console.log(`${t.stage.padEnd(36)} ${String(t.passed).padStart(5)} passed ${String(t.failed).padStart(4)} failed  ${t.seconds.toFixed(1)} s`);
const passed = tallies.reduce((s, t) => s + t.passed, 0);
const failed = tallies.reduce((s, t) => s + t.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

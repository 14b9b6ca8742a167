import { describe, expect, it } from "vitest";
import { bucketIndex, LATENCY_BUCKETS } from "./metrics.ts";
import { parsePrometheus, renderPrometheus } from "./prometheus.ts";
import { routeMatcher } from "./route-patterns.ts";
import path from "node:path";

describe("Prometheus exposition", () => {
  it("writes histograms cumulatively with +Inf, sum and count; escapes label values", () => {
    const buckets = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    buckets[bucketIndex(0.003)] += 2; // ≤ 0.005
    buckets[bucketIndex(0.2)] += 1; // ≤ 0.25
    buckets[bucketIndex(60)] += 1; // +Inf only
    const text = renderPrometheus([
      { name: "x_seconds", help: "a histogram", type: "histogram", samples: [{ labels: { route: '/a"b\\c' }, histogram: { buckets, count: 4, sum: 60.406 } }] },
      { name: "y_total", help: "a counter", type: "counter", samples: [{ value: 7 }] },
    ]);
    expect(text).toContain("# TYPE x_seconds histogram\n");
    const samples = parsePrometheus(text);
    const le = (v: string) => samples.find((s) => s.name === "x_seconds_bucket" && s.labels.le === v)?.value;
    expect([le("0.005"), le("0.1"), le("0.25"), le("10"), le("+Inf")]).toEqual([2, 2, 3, 3, 4]);
    expect(samples.find((s) => s.name === "x_seconds_sum")).toMatchObject({ value: 60.406, labels: { route: '/a"b\\c' } });
    expect(samples.find((s) => s.name === "y_total")?.value).toBe(7);
    expect(text).toContain('route="/a\\"b\\\\c"');
  });
});

describe("route patterns for HTTP metrics", () => {
  const routes = routeMatcher(path.resolve(import.meta.dirname, "../../app"));

  it("names the route file's pattern, never the URL's ids, hashes or logins", () => {
    expect(routes.match("/api/processes/42/counts")).toBe("/api/processes/[id]/counts");
    expect(routes.match("/api/health")).toBe("/api/health");
    expect(routes.match("/api/1/json/public/42/0123456789abcdef")).toBe("/api/[v]/json/[...path]");
    expect(routes.match("/api/1/json/alice/1700000000/deadbeef")).toBe("/api/[v]/json/[...path]");
    expect(routes.match("/api/dashboards/7/data")).toBe("/api/dashboards/[id]/data");
    expect(routes.match("/api/dashboards/catalog")).toBe("/api/dashboards/catalog");
    expect(routes.match("/no/such/route")).toBe("other");
  });
});

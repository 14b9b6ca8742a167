// `/metrics`, Prometheus' default metrics_path: the same handler, protection and
// answer as /api/metrics (bearer METRICS_TOKEN or an admin session). proxy.ts
// lets it through without a session cookie, so a scraper gets the metrics or a
// JSON 401, never a redirect to the login page.
export { GET } from "@/app/api/metrics/route";

export const dynamic = "force-dynamic";

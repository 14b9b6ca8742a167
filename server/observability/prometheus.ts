import { LATENCY_BUCKETS, type HistogramData } from "./metrics.ts";

/**
 * The Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`,
 * then one line per sample. Histograms are written cumulative, as the format
 * requires, from the per-bucket counts the recorder keeps.
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string | number>;

export type MetricFamily =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Array<{ labels?: Labels; value: number }> }
  | { name: string; help: string; type: "histogram"; samples: Array<{ labels?: Labels; histogram: HistogramData }> };

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Labels | undefined, extra?: Labels): string {
  const all = { ...labels, ...extra };
  const parts = Object.entries(all).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(Math.round(v * 1e9) / 1e9);
}

export function renderPrometheus(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === "histogram") {
      for (const s of f.samples) {
        let cumulative = 0;
        LATENCY_BUCKETS.forEach((bound, i) => {
          cumulative += s.histogram.buckets[i] ?? 0;
          lines.push(`${f.name}_bucket${labelText(s.labels, { le: bound })} ${num(cumulative)}`);
        });
        lines.push(`${f.name}_bucket${labelText(s.labels, { le: "+Inf" })} ${num(s.histogram.count)}`);
        lines.push(`${f.name}_sum${labelText(s.labels)} ${num(s.histogram.sum)}`);
        lines.push(`${f.name}_count${labelText(s.labels)} ${num(s.histogram.count)}`);
      }
    } else {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${num(s.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Parses the exposition format back into samples (for tests and tooling): `name{labels}` → value. */
export function parsePrometheus(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    out.push({ name: m[1], labels, value: m[3] === "+Inf" ? Infinity : Number(m[3]) });
  }
  return out;
}

"use client";
import type { Bucket } from "./types";

/**
 * Charts as inline SVG (no chart library): a line or grouped-bar chart of a
 * few series over time buckets, a sparkline, and funnel bars. The plot
 * stretches to its box (non-scaling strokes keep lines crisp); labels are
 * HTML beside it, so text never distorts.
 */

export const SERIES_COLORS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

const W = 600;
const H = 200;

export function formatTime(t: number, bucket: Bucket): string {
  const d = new Date(t);
  if (bucket === "minute") return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (bucket === "hour") return d.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return d.toLocaleDateString([], { day: "numeric", month: "short" });
}

export const formatNumber = (n: number) => (Math.abs(n) >= 10_000 ? Intl.NumberFormat([], { notation: "compact", maximumFractionDigits: 1 }).format(n) : Intl.NumberFormat().format(Math.round(n * 100) / 100));

/**
 * A round upper bound for the y axis, never 0. The axis is labelled at the
 * top, the middle and 0, so for whole numbers (task counts) the top is even
 * (2, 4, 6, 8 or 10 × 10^n): a count axis never reads "2.5" or "0.5".
 * Fractional values get 1, 2 or 5 × 10^n.
 */
export function axisMax(values: number[]): number {
  const v = Math.max(0, ...values);
  const whole = values.every((x) => Number.isInteger(x));
  if (v <= 0) return whole ? 2 : 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const steps = whole && p < 10 ? [2, 4, 6, 8, 10] : [1, 2, 5, 10];
  return (steps.find((m) => m * p >= v) ?? 10) * p;
}

export interface ChartSeries {
  label: string;
  values: number[];
}

export function TimeChart({ kind, bucket, times, series, testId, dark = false, height = "h-40" }: {
  kind: "line" | "bar";
  bucket: Bucket;
  times: number[];
  series: ChartSeries[];
  testId?: string;
  dark?: boolean;
  height?: string;
}) {
  const n = times.length;
  const max = axisMax(series.flatMap((s) => s.values));
  const x = (i: number) => (n <= 1 ? W / 2 : (i / (n - 1)) * W);
  const y = (v: number) => H - (v / max) * H;
  const slot = W / Math.max(n, 1);
  const barW = (slot * 0.8) / Math.max(series.length, 1);
  const muted = dark ? "text-slate-400" : "text-slate-500";
  return (
    <div className="flex flex-col gap-1" data-testid={testId}>
      <div className="flex gap-2">
        <div className={`flex w-10 shrink-0 flex-col justify-between text-right text-[10px] tabular-nums ${muted}`}>
          <span>{formatNumber(max)}</span>
          <span>{formatNumber(max / 2)}</span>
          <span>0</span>
        </div>
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" className={`${height} w-full overflow-visible`} role="img" aria-label={`${kind} chart of ${series.map((s) => s.label).join(", ")}`}>
          {[0, 0.5, 1].map((f) => <line key={f} x1={0} x2={W} y1={H * f} y2={H * f} stroke={dark ? "#334155" : "#e2e8f0"} vectorEffect="non-scaling-stroke" />)}
          {kind === "bar"
            ? series.map((s, si) => s.values.map((v, i) => (
                <rect key={`${si}-${i}`} x={i * slot + slot * 0.1 + si * barW} y={y(v)} width={Math.max(barW - 0.5, 0.5)} height={H - y(v)} fill={SERIES_COLORS[si % SERIES_COLORS.length]}>
                  <title>{`${s.label} · ${formatTime(times[i], bucket)}: ${formatNumber(v)}`}</title>
                </rect>
              )))
            : series.map((s, si) => (
                <polyline key={si} fill="none" stroke={SERIES_COLORS[si % SERIES_COLORS.length]} strokeWidth={2} vectorEffect="non-scaling-stroke" strokeLinejoin="round"
                  points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")} />
              ))}
          {kind === "line" && times.map((t, i) => (
            <rect key={t} x={x(i) - slot / 2} y={0} width={slot} height={H} fill="transparent">
              <title>{`${formatTime(t, bucket)}\n${series.map((s) => `${s.label}: ${formatNumber(s.values[i] ?? 0)}`).join("\n")}`}</title>
            </rect>
          ))}
        </svg>
      </div>
      <div className={`ml-12 flex justify-between text-[10px] ${muted}`}>
        <span>{n ? formatTime(times[0], bucket) : ""}</span>
        <span>{n ? formatTime(times[n - 1], bucket) : ""}</span>
      </div>
    </div>
  );
}

export function Sparkline({ values, color = SERIES_COLORS[0], kind = "bar", label }: { values: number[]; color?: string; kind?: "bar" | "line"; label: string }) {
  const n = values.length;
  const max = Math.max(1, ...values);
  const slot = W / Math.max(n, 1);
  return (
    <svg viewBox={`0 0 ${W} 60`} preserveAspectRatio="none" className="h-8 w-full" role="img" aria-label={label}>
      <title>{`${label}: ${formatNumber(values.reduce((a, b) => a + b, 0))} in all, at most ${formatNumber(Math.max(0, ...values))}`}</title>
      {kind === "bar"
        ? values.map((v, i) => v > 0 && <rect key={i} x={i * slot} y={60 - (v / max) * 60} width={Math.max(slot - 1, 0.5)} height={(v / max) * 60} fill={color} />)
        : <polyline fill="none" stroke={color} strokeWidth={1.5} vectorEffect="non-scaling-stroke" points={values.map((v, i) => `${n <= 1 ? 0 : (i / (n - 1)) * W},${60 - (v / max) * 58}`).join(" ")} />}
    </svg>
  );
}

/** Horizontal bars, one per stage; `relative` adds each stage's share of the first (a funnel's conversion). */
export function FunnelBars({ stages, testId, dark = false, relative = true }: { stages: Array<{ label: string; value: number }>; testId?: string; dark?: boolean; relative?: boolean }) {
  const first = stages[0]?.value ?? 0;
  const max = Math.max(1, ...stages.map((s) => s.value));
  return (
    <ol className="space-y-1.5" data-testid={testId}>
      {stages.map((s, i) => (
        <li key={i} className="text-sm">
          <div className="flex justify-between gap-2">
            <span className="truncate">{s.label}</span>
            <span className="tabular-nums">
              {formatNumber(s.value)}
              {relative && i > 0 && first > 0 && <span className={`ml-1 text-xs ${dark ? "text-slate-400" : "text-slate-500"}`}>{Math.round((s.value / first) * 100)}%</span>}
            </span>
          </div>
          <div className={`h-2 rounded ${dark ? "bg-slate-700" : "bg-slate-100"}`}>
            <div className="h-2 rounded" style={{ width: `${(s.value / max) * 100}%`, background: SERIES_COLORS[i % SERIES_COLORS.length] }} />
          </div>
        </li>
      ))}
    </ol>
  );
}

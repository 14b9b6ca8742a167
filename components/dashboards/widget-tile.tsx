"use client";
import Link from "next/link";
import type { ReactNode } from "react";
import { FunnelBars, SERIES_COLORS, TimeChart, formatNumber } from "./charts";
import type { StoredWidget, WidgetData } from "./types";

const SPAN_CLASS = ["", "md:col-span-1", "md:col-span-2", "md:col-span-3", "md:col-span-4"];

const SEVERITY_CLASS: Record<string, string> = {
  critical: "bg-red-100 text-red-800", high: "bg-orange-100 text-orange-800", medium: "bg-amber-100 text-amber-800", low: "bg-sky-100 text-sky-800", info: "bg-slate-100 text-slate-700",
};

function defaultTitle(w: StoredWidget, data: WidgetData | undefined, processTitle: string | undefined): string {
  if (w.title) return w.title;
  const where = processTitle ? ` · ${processTitle}` : "";
  if (!data || data.type === "error") return `${w.type}${where}`;
  switch (data.type) {
    case "count":
    case "sum":
      return `${data.node.title}${where}`;
    case "chart":
      return `${data.series.map((s) => s.node.title).join(", ")}${where}`;
    case "funnel":
      return `Funnel${where}`;
    case "alerts":
      return w.type === "alerts" && w.processId ? `Recent alerts${where}` : "Recent alerts";
  }
}

/** One widget on the dashboard grid with the numbers the server computed for it. */
export function WidgetTile({ widget, data, processTitle, dark = false, toolbar }: { widget: StoredWidget; data: WidgetData | undefined; processTitle?: string; dark?: boolean; toolbar?: ReactNode }) {
  const title = defaultTitle(widget, data, processTitle);
  const muted = dark ? "text-slate-400" : "text-slate-500";
  return (
    <section
      className={`col-span-1 flex min-h-36 flex-col rounded-lg border p-4 ${SPAN_CLASS[widget.width] ?? ""} ${dark ? "border-slate-700 bg-slate-900" : "border-slate-200 bg-white"}`}
      data-testid={`widget-${widget.id}`} aria-label={title}
    >
      <header className="mb-2 flex items-start gap-2">
        <h2 className={`min-w-0 flex-1 truncate text-sm font-medium ${dark ? "text-slate-200" : "text-slate-700"}`} title={title}>{title}</h2>
        {toolbar}
      </header>
      <div className="min-h-0 flex-1">{body()}</div>
    </section>
  );

  function body(): ReactNode {
    if (widget.type === "invalid") return <p className="text-sm text-red-700">This widget no longer fits the dashboard format: {widget.problem}</p>;
    if (!data) return <p className={`text-sm ${muted}`}>Loading…</p>;
    switch (data.type) {
      case "error":
        return <p className="text-sm text-red-700" role="alert">{data.message}</p>;
      case "count":
        return (
          <div className="flex h-full flex-col justify-center">
            <div className={`font-semibold tabular-nums ${dark ? "text-6xl text-white" : "text-5xl"}`} data-testid={`count-${widget.id}`}>{formatNumber(data.value)}</div>
            <div className={`mt-1 text-xs ${muted}`}>{data.node.kind.startsWith("final") ? "tasks in total (final node)" : "tasks in the node now"}</div>
          </div>
        );
      case "sum":
        return data.sums.length === 0 ? <p className={`text-sm ${muted}`}>This node has no Sum block.</p> : (
          <dl className="space-y-1">
            {data.sums.map((s) => (
              <div key={s.id} className="flex items-baseline justify-between gap-2">
                <dt className={`truncate text-sm ${muted}`}>{s.name}</dt>
                <dd className={`font-semibold tabular-nums ${dark ? "text-4xl text-white" : "text-3xl"}`} data-testid={`sum-${widget.id}-${s.id}`}>{formatNumber(s.value)}</dd>
              </div>
            ))}
          </dl>
        );
      case "funnel":
        return <FunnelBars stages={data.stages.map((s) => ({ label: s.node.title, value: s.value }))} testId={`funnel-${widget.id}`} dark={dark} />;
      case "chart":
        return (
          <div>
            <TimeChart kind={widget.type === "chart" ? widget.chart : "line"} bucket={data.bucket} times={data.times} dark={dark}
              series={data.series.map((s) => ({ label: s.node.title, values: s.values }))} testId={`chart-${widget.id}`} />
            <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs">
              {data.series.map((s, i) => (
                <li key={s.node.id} className="flex items-center gap-1.5">
                  <span className="inline-block h-2 w-2 rounded-full" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} />
                  <span className={dark ? "text-slate-300" : "text-slate-600"}>{s.node.title}</span>
                  <span className={muted}>{s.measure === "increase" ? `arrived per ${data.bucket}` : "in the node"}</span>
                  <span className="font-medium tabular-nums" data-testid={`chart-${widget.id}-latest-${s.node.id}`}>{formatNumber(s.values.at(-1) ?? 0)}</span>
                </li>
              ))}
            </ul>
          </div>
        );
      case "alerts":
        return data.alerts.length === 0 ? <p className={`text-sm ${muted}`}>No alerts yet.</p> : (
          <table className="w-full text-left text-xs" data-testid={`alerts-${widget.id}`}>
            <thead className={muted}><tr><th className="py-1 pr-2 font-normal">When</th><th className="py-1 pr-2 font-normal">Alert</th><th className="py-1 pr-2 font-normal">Channel</th><th className="py-1 font-normal">Status</th></tr></thead>
            <tbody className={dark ? "divide-y divide-slate-800" : "divide-y divide-slate-100"}>
              {data.alerts.map((a) => (
                <tr key={a.id}>
                  <td className={`whitespace-nowrap py-1 pr-2 tabular-nums ${muted}`}>{new Date(a.at).toLocaleTimeString()}</td>
                  <td className="py-1 pr-2">
                    <span className={`mr-1 rounded px-1 py-0.5 text-[10px] uppercase ${SEVERITY_CLASS[a.severity] ?? SEVERITY_CLASS.info}`}>{a.severity}</span>
                    {a.processId ? <Link href={`/alerts?processId=${a.processId}`} className="hover:underline">{a.title}</Link> : a.title}
                  </td>
                  <td className="py-1 pr-2">{a.channel}</td>
                  <td className={`py-1 ${a.status === "failed" ? "text-red-600" : a.status === "sent" ? "text-emerald-600" : muted}`}>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
    }
  }
}

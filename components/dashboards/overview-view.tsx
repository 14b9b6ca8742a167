"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { api } from "../lib/api";
import { ErrorNote } from "../lib/ui";
import { FunnelBars, SERIES_COLORS, Sparkline, TimeChart, formatNumber } from "./charts";
import { LiveStatus } from "./dashboard-view";

interface Totals { in: number; finished: number; errors: number }
interface DeliveryStats { sent: number; failed: number; pending: number; successRate: number | null }
export interface OverviewData {
  at: number;
  window: "hour" | "day";
  times: number[];
  processes: Array<{ id: number; title: string; live: number; totals: Totals; perMinute?: { in: number[]; finished: number[]; errors: number[] } }>;
  busiestNodes: Array<{ processId: number; process: string; nodeId: string; node: string; count: number }>;
  escalations: Array<{ processId: number; process: string; nodeId: string; node: string; escNodeId: string; since: string; countAtStart: number; threshold: number; current: number }>;
  alerts: { hour: DeliveryStats; day: DeliveryStats; byChannel: Array<{ channel: string } & DeliveryStats> };
  awsPack: { byRule: Array<{ rule: string; count: number }>; byAccount: Array<{ account: string; count: number }> };
}

const OVERVIEW_REFRESH_MS = 5000;

function Card({ title, children, testId, className = "" }: { title: string; children: ReactNode; testId: string; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-4 ${className}`} data-testid={testId}>
      <h2 className="mb-3 text-sm font-semibold text-slate-700">{title}</h2>
      {children}
    </section>
  );
}

const rate = (s: DeliveryStats) => (s.successRate === null ? "n/a" : `${(s.successRate * 100).toFixed(s.successRate === 1 ? 0 : 1)}%`);

/**
 * The built-in overview: every process's tasks in / finished / in error per
 * minute (last hour or day), the busiest nodes, active task-counter
 * escalations, alert delivery, and the AWS pack's alerts per rule and account.
 */
export function OverviewView() {
  const [window, setWindow] = useState<"hour" | "day">("hour");
  const q = useQuery({ queryKey: ["overview", window], queryFn: () => api<OverviewData>(`/api/overview?window=${window}`), refetchInterval: OVERVIEW_REFRESH_MS, placeholderData: (prev) => prev });
  const [selected, setSelected] = useState<number | null>(null);
  const o = q.data;
  const active = o?.processes.filter((p) => p.perMinute || p.live > 0) ?? [];
  const idle = (o?.processes.length ?? 0) - active.length;
  const focus = active.find((p) => p.id === selected) ?? active[0] ?? null;
  const zeros = o ? o.times.map(() => 0) : [];

  return (
    <main className="min-h-0 flex-1 space-y-4 overflow-y-auto p-6" data-testid="overview">
      <div className="flex items-center gap-3">
        <h1 className="text-2xl font-semibold">Overview</h1>
        <div className="flex overflow-hidden rounded-md border border-slate-300 text-sm" role="group" aria-label="Window">
          {(["hour", "day"] as const).map((w) => (
            <button key={w} type="button" onClick={() => setWindow(w)} className={`px-3 py-1 ${window === w ? "bg-brand-600 text-white" : "bg-white hover:bg-slate-50"}`} data-testid={`window-${w}`}>Last {w}</button>
          ))}
        </div>
        <span className="ml-auto"><LiveStatus at={o?.at} error={q.error} /></span>
      </div>
      <ErrorNote error={q.error} />
      {!o ? <p className="text-slate-500">Loading…</p> : (
        <>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
            <Card title={`Processes — tasks per minute, last ${o.window}`} testId="overview-processes" className="lg:col-span-2">
              {active.length === 0 ? <p className="text-sm text-slate-500">No process moved a task in the last {window}.</p> : (
                <table className="w-full text-sm">
                  <thead className="text-left text-xs text-slate-500">
                    <tr><th className="pb-1 font-normal">Process</th><th className="pb-1 pr-4 text-right font-normal" title="tasks in non-final nodes now">Live</th><th className="w-1/5 pb-1 font-normal">In</th><th className="w-1/5 pb-1 font-normal">Finished</th><th className="w-1/5 pb-1 font-normal">Errors</th></tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {active.map((p) => {
                      return (
                        <tr key={p.id} className={`cursor-pointer ${focus?.id === p.id ? "bg-brand-50" : "hover:bg-slate-50"}`} onClick={() => setSelected(p.id)} data-testid={`overview-process-${p.id}`}>
                          <td className="py-1.5 pr-2"><Link href={`/processes/${p.id}`} className="font-medium hover:underline" onClick={(e) => e.stopPropagation()}>{p.title}</Link></td>
                          <td className="py-1.5 pr-4 text-right tabular-nums">{formatNumber(p.live)}</td>
                          {(["in", "finished", "errors"] as const).map((k, i) => (
                            <td key={k} className="py-1.5 pr-3">
                              <div className="flex items-center gap-2">
                                <span className="w-10 shrink-0 text-right tabular-nums" data-testid={`overview-${k}-${p.id}`}>{formatNumber(p.totals[k])}</span>
                                <div className="min-w-0 flex-1 border-b border-slate-100">
                                  <Sparkline values={p.perMinute?.[k] ?? zeros} color={SERIES_COLORS[i]} kind={o.window === "hour" ? "bar" : "line"} label={`${p.title}: ${k} per minute`} />
                                </div>
                              </div>
                            </td>
                          ))}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              {idle > 0 && <p className="mt-2 text-xs text-slate-500">{idle} idle process{idle === 1 ? "" : "es"} not shown.</p>}
              {focus && (
                <div className="mt-4 border-t border-slate-100 pt-3">
                  <div className="mb-1 text-xs text-slate-500">{focus.title}: per minute, last {o.window}</div>
                  <TimeChart kind={o.window === "hour" ? "bar" : "line"} bucket="minute" times={o.times}
                    series={(["in", "finished", "errors"] as const).map((k) => ({ label: k, values: focus.perMinute?.[k] ?? zeros }))} testId="overview-chart" />
                </div>
              )}
            </Card>
            <div className="space-y-4">
              <Card title="Alert delivery" testId="overview-delivery">
                <div className="grid grid-cols-2 gap-3">
                  {(["hour", "day"] as const).map((w) => (
                    <div key={w}>
                      <div className={`text-3xl font-semibold tabular-nums ${o.alerts[w].successRate === null ? "text-slate-300" : o.alerts[w].successRate! < 0.95 ? "text-red-600" : "text-emerald-700"}`} data-testid={`delivery-rate-${w}`}>{rate(o.alerts[w])}</div>
                      <div className="text-xs text-slate-500">delivered, last {w}: {o.alerts[w].sent} sent, {o.alerts[w].failed} failed{o.alerts[w].pending ? `, ${o.alerts[w].pending} pending` : ""}</div>
                    </div>
                  ))}
                </div>
                {o.alerts.byChannel.length > 0 && (
                  <table className="mt-3 w-full text-xs">
                    <tbody className="divide-y divide-slate-100">
                      {o.alerts.byChannel.map((c) => <tr key={c.channel}><td className="py-1">{c.channel}</td><td className="py-1 text-right tabular-nums">{rate(c)}</td><td className="py-1 text-right text-slate-500">{c.sent}/{c.sent + c.failed}</td></tr>)}
                    </tbody>
                  </table>
                )}
                <Link href="/alerts" className="mt-2 block text-xs text-brand-700 hover:underline">Delivery log →</Link>
              </Card>
              <Card title="Active escalations (task counters)" testId="overview-escalations">
                {o.escalations.length === 0 ? <p className="text-sm text-slate-500">None: every task-counter node is below its threshold.</p> : (
                  <ul className="space-y-2 text-sm">
                    {o.escalations.map((e) => (
                      <li key={`${e.processId}:${e.nodeId}`} className="rounded border border-red-200 bg-red-50 px-2 py-1.5" data-testid={`escalation-${e.processId}-${e.nodeId}`}>
                        <div className="font-medium text-red-800">{e.node} <span className="font-normal text-red-700">in {e.process}</span></div>
                        <div className="text-xs text-red-700">{e.current} tasks now (threshold {e.threshold}) · since {new Date(e.since).toLocaleString()}</div>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
            </div>
          </div>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
            <Card title="Busiest nodes (tasks waiting now)" testId="overview-busiest">
              {o.busiestNodes.length === 0 ? <p className="text-sm text-slate-500">No task is waiting in any node.</p> : (
                <FunnelBars stages={o.busiestNodes.map((n) => ({ label: `${n.node} · ${n.process}`, value: n.count }))} relative={false} />
              )}
            </Card>
            <Card title="AWS security pack — alerts per rule, last 24 h" testId="overview-rules">
              {o.awsPack.byRule.length === 0 ? <p className="text-sm text-slate-500">No pack alert in the last 24 hours.</p> : <FunnelBars stages={o.awsPack.byRule.map((r) => ({ label: r.rule, value: r.count }))} relative={false} />}
            </Card>
            <Card title="AWS security pack — alerts per account, last 24 h" testId="overview-accounts">
              {o.awsPack.byAccount.length === 0 ? <p className="text-sm text-slate-500">No pack alert in the last 24 hours.</p> : <FunnelBars stages={o.awsPack.byAccount.map((r) => ({ label: r.account, value: r.count }))} relative={false} />}
            </Card>
          </div>
        </>
      )}
    </main>
  );
}

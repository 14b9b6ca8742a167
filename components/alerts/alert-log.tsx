"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Select } from "../lib/ui";
import { AlertStatusBadge, SeverityLabel } from "./alert-status";

interface AlertRow {
  id: string;
  kind: "notify" | "test";
  status: string;
  channelName: string;
  severity: string;
  title: string;
  message: string;
  fields: Record<string, string>;
  processId: number | null;
  processTitle: string | null;
  taskId: string | null;
  nodeId: string | null;
  taskPath: string | null;
  attempts: number;
  lastError: string | null;
  notifiedAt: string;
  sentAt: string | null;
  latencyMs: number | null;
  nextAttemptAt: string | null;
  resends: number;
}
interface Attempt { attempt: number; startedAt: string; durationMs: number; outcome: string; httpStatus: number | null; error: string | null }

const STATUSES = ["queued", "sending", "retrying", "sent", "failed"];
const PAGE = 50;

/** The delivery log: every alert, newest first, filtered by process, channel and status; refreshes itself. */
export function AlertLog({ processes, channels, canResend }: { processes: Array<{ id: number; title: string }>; channels: string[]; canResend: boolean }) {
  const [filter, setFilter] = useState({ processId: "", channel: "", status: "" });
  const [open, setOpen] = useState<string | null>(null);
  const qs = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
  const q = useInfiniteQuery({
    queryKey: ["alerts", filter],
    initialPageParam: "",
    queryFn: ({ pageParam }) => api<{ alerts: AlertRow[]; nextBefore: string | null }>(`/api/alerts?limit=${PAGE}&${qs.toString()}${pageParam ? `&before=${pageParam}` : ""}`),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    refetchInterval: 2000,
  });
  const rows = q.data?.pages.flatMap((p) => p.alerts) ?? [];
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-4 text-sm" data-testid="alert-filters">
        <label className="flex items-center gap-2">Process
          <Select value={filter.processId} onChange={set("processId")} data-testid="filter-process">
            <option value="">all</option>
            {processes.map((p) => <option key={p.id} value={p.id}>#{p.id} {p.title}</option>)}
          </Select>
        </label>
        <label className="flex items-center gap-2">Channel
          <Select value={filter.channel} onChange={set("channel")} data-testid="filter-channel">
            <option value="">all</option>
            {channels.map((c) => <option key={c} value={c}>{c}</option>)}
          </Select>
        </label>
        <label className="flex items-center gap-2">Status
          <Select value={filter.status} onChange={set("status")} data-testid="filter-status">
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s === "failed" ? "failed (dead-letter)" : s}</option>)}
          </Select>
        </label>
      </div>
      <ErrorNote error={q.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="alerts-table">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr>
            <th className="px-3 py-2">When</th><th className="px-3 py-2">Channel</th><th className="px-3 py-2">Alert</th><th className="px-3 py-2">Task</th>
            <th className="px-3 py-2">Status</th><th className="px-3 py-2 text-right">Attempts</th><th className="px-3 py-2 text-right">Latency</th><th className="px-3 py-2">Last error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((a) => (
            <Fragment key={a.id}>
              <tr data-testid={`alert-row-${a.id}`} className="cursor-pointer align-top hover:bg-slate-50" onClick={() => setOpen(open === a.id ? null : a.id)}>
                <td className="whitespace-nowrap px-3 py-2 text-slate-500">{new Date(a.notifiedAt).toLocaleString()}</td>
                <td className="px-3 py-2">{a.channelName}</td>
                <td className="max-w-xs px-3 py-2"><SeverityLabel severity={a.severity} /> <span className="font-medium">{a.title || "(no title)"}</span>{a.kind === "test" && <span className="ml-1 rounded bg-slate-100 px-1 text-xs">test</span>}</td>
                <td className="whitespace-nowrap px-3 py-2">
                  {a.taskPath ? <Link href={a.taskPath} className="text-brand-700 underline" onClick={(e) => e.stopPropagation()} data-testid="alert-task-link">#{a.processId} {a.processTitle ?? ""} · {a.nodeId}</Link> : <span className="text-slate-400">—</span>}
                </td>
                <td className="px-3 py-2"><AlertStatusBadge status={a.status} />{a.status === "retrying" && a.nextAttemptAt && <div className="text-xs text-slate-500">next {new Date(a.nextAttemptAt).toLocaleTimeString()}</div>}</td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="alert-attempts">{a.attempts}</td>
                <td className="px-3 py-2 text-right tabular-nums">{a.latencyMs !== null ? `${a.latencyMs} ms` : ""}</td>
                <td className={`max-w-sm truncate px-3 py-2 text-xs ${a.status === "sent" ? "text-slate-400" : "text-red-700"}`} title={a.lastError ?? ""} data-testid="alert-error">{a.lastError ?? ""}</td>
              </tr>
              {open === a.id && <tr><td colSpan={8} className="bg-slate-50 px-4 py-3"><AlertDetail alert={a} canResend={canResend} /></td></tr>}
            </Fragment>
          ))}
          {q.isSuccess && rows.length === 0 && <tr><td colSpan={8} className="px-3 py-6 text-center text-slate-500">No alerts match.</td></tr>}
        </tbody>
      </table>
      {q.hasNextPage && <Button variant="secondary" onClick={() => void q.fetchNextPage()}>Older alerts</Button>}
    </div>
  );
}

function AlertDetail({ alert, canResend }: { alert: AlertRow; canResend: boolean }) {
  const qc = useQueryClient();
  const detail = useQuery({ queryKey: ["alert-detail", alert.id, alert.status, alert.attempts], queryFn: () => api<{ attempts: Attempt[] }>(`/api/alerts/${alert.id}`).then((r) => r.attempts) });
  const resend = useMutation({ mutationFn: () => api(`/api/alerts/${alert.id}/resend`, { method: "POST" }), onSuccess: () => void qc.invalidateQueries({ queryKey: ["alerts"] }) });
  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="alert-detail">
      <div className="space-y-2">
        <div className="text-xs font-medium uppercase text-slate-500">Rendered message</div>
        <div className="rounded border border-slate-200 bg-white p-3">
          <div className="font-medium">{alert.title}</div>
          <p className="whitespace-pre-wrap text-slate-700" data-testid="alert-message">{alert.message}</p>
          {Object.keys(alert.fields).length > 0 && (
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 text-xs">
              {Object.entries(alert.fields).map(([k, v]) => <Fragment key={k}><dt className="font-medium text-slate-500">{k}</dt><dd className="break-all">{v}</dd></Fragment>)}
            </dl>
          )}
        </div>
        {alert.status === "failed" && canResend && (
          <div className="flex items-center gap-2">
            <Button onClick={(e) => { e.stopPropagation(); resend.mutate(); }} disabled={resend.isPending} data-testid="alert-resend">Resend</Button>
            <span className="text-xs text-slate-500">A new round of attempts through channel “{alert.channelName}”.</span>
          </div>
        )}
        <ErrorNote error={resend.error} />
      </div>
      <div className="space-y-2">
        <div className="text-xs font-medium uppercase text-slate-500">Attempts{alert.resends > 0 ? ` (resent ${alert.resends}×)` : ""}</div>
        <ErrorNote error={detail.error} />
        <ol className="space-y-1 text-xs" data-testid="alert-attempt-list">
          {(detail.data ?? []).map((t, i) => (
            <li key={i} className="rounded border border-slate-200 bg-white px-2 py-1">
              <span className="font-medium">#{t.attempt}</span> {new Date(t.startedAt).toLocaleTimeString()} · {t.durationMs} ms ·{" "}
              <span className={t.outcome === "sent" ? "text-emerald-700" : "text-red-700"}>{t.outcome}{t.httpStatus ? ` (HTTP ${t.httpStatus})` : ""}</span>
              {t.error && <div className="break-all text-slate-600">{t.error}</div>}
            </li>
          ))}
          {detail.data?.length === 0 && <li className="text-slate-500">No attempt yet.</li>}
        </ol>
      </div>
    </div>
  );
}

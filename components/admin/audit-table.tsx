"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Select } from "../lib/ui";

interface Entry { id: string; at: string; actorType: string; actorLabel: string; action: string; targetType: string | null; targetId: string | null; details: unknown; ip: string | null }

/** The audit log, newest first, filterable by action, paged. */
export function AuditTable({ actions }: { actions: readonly string[] }) {
  const [action, setAction] = useState("");
  const q = useInfiniteQuery({
    queryKey: ["audit", action],
    initialPageParam: "",
    queryFn: ({ pageParam }) => api<{ entries: Entry[] }>(`/api/admin/audit?limit=50${action ? `&action=${action}` : ""}${pageParam ? `&before=${pageParam}` : ""}`).then((r) => r.entries),
    getNextPageParam: (last) => (last.length === 50 ? last[last.length - 1].id : undefined),
  });
  const rows = q.data?.pages.flat() ?? [];
  return (
    <div className="space-y-3">
      <label className="flex items-center gap-2 text-sm">
        Action
        <Select value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-filter">
          <option value="">all</option>
          {actions.map((a) => <option key={a} value={a}>{a}</option>)}
        </Select>
      </label>
      <ErrorNote error={q.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="audit-table">
        <thead className="bg-slate-50 text-left text-slate-500"><tr><th className="px-3 py-2">When</th><th className="px-3 py-2">Who</th><th className="px-3 py-2">Action</th><th className="px-3 py-2">Target</th><th className="px-3 py-2">Details</th></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td className="whitespace-nowrap px-3 py-2 text-slate-500">{new Date(e.at).toLocaleString()}</td>
              <td className="px-3 py-2">{e.actorLabel}<span className="ml-1 text-xs text-slate-400">{e.actorType}{e.ip ? ` · ${e.ip}` : ""}</span></td>
              <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-600" title={e.targetId ?? ""}>{e.targetType ? `${e.targetType} ${e.targetId && e.targetId.length > 12 ? `${e.targetId.slice(0, 8)}…` : (e.targetId ?? "")}` : ""}</td>
              <td className="max-w-md truncate px-3 py-2 font-mono text-xs text-slate-500" title={e.details ? JSON.stringify(e.details) : ""}>{e.details ? JSON.stringify(e.details) : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.hasNextPage && <Button variant="secondary" onClick={() => void q.fetchNextPage()}>Older entries</Button>}
    </div>
  );
}

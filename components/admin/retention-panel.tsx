"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Input, Select } from "../lib/ui";

interface Policy { keepFinishedSec: number; archive: boolean; enabled: boolean; updatedAt: string; lastRunAt: string | null; lastPurged: number; purgedTotal: number }
interface Row { processId: number; title: string; folder: string | null; policy: Policy | null; finishedTasks: number; liveTasks: number }
interface Answer { processes: Row[]; settings: { intervalSec: number; defaultKeepDays: number; counterHistoryDays: number } }

const UNITS = { hours: 3600, days: 86_400 } as const;
type Unit = keyof typeof UNITS;

function split(sec: number): { amount: number; unit: Unit } {
  return sec % 86_400 === 0 ? { amount: sec / 86_400, unit: "days" } : { amount: Math.max(1, Math.round(sec / 3600)), unit: "hours" };
}

const describeKeep = (sec: number) => {
  const { amount, unit } = split(sec);
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit}`;
};

/**
 * Retention per process: how long finished tasks (with their history and
 * ingestion eventIDs) are kept before the worker purges them, optionally
 * archiving them to files first. Counters keep their totals either way.
 */
export function RetentionPanel() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["retention"], queryFn: () => api<Answer>("/api/admin/retention"), refetchInterval: 10_000 });
  const refresh = () => void qc.invalidateQueries({ queryKey: ["retention"] });
  const run = useMutation({ mutationFn: () => api("/api/admin/retention/run", { method: "POST" }), onSettled: () => setTimeout(refresh, 1500) });
  const s = list.data?.settings;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600">
        <p className="flex-1">
          Policies apply every {s ? Math.round(s.intervalSec / 60) : "…"} minutes.{" "}
          {s && (s.defaultKeepDays > 0 ? `Processes without a policy keep finished tasks ${s.defaultKeepDays} days (TASK_RETENTION_DEFAULT_DAYS).` : "Processes without a policy keep their finished tasks.")}{" "}
          Counter history is kept {s?.counterHistoryDays ?? "…"} days.
        </p>
        <Button variant="secondary" onClick={() => run.mutate()} disabled={run.isPending} data-testid="retention-run">{run.isSuccess ? "Run requested" : "Run now"}</Button>
      </div>
      <ErrorNote error={list.error ?? run.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="retention-table">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr><th className="px-3 py-2">Process</th><th className="px-3 py-2 text-right">Live</th><th className="px-3 py-2 text-right">Finished</th><th className="px-3 py-2">Keep finished tasks</th><th className="px-3 py-2">Last run</th></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {(list.data?.processes ?? []).map((r) => <RetentionRow key={r.processId} row={r} onChanged={refresh} />)}
        </tbody>
      </table>
    </div>
  );
}

function RetentionRow({ row, onChanged }: { row: Row; onChanged(): void }) {
  const initial = row.policy ? split(row.policy.keepFinishedSec) : { amount: 30, unit: "days" as Unit };
  const [amount, setAmount] = useState(initial.amount);
  const [unit, setUnit] = useState<Unit>(initial.unit);
  const [archive, setArchive] = useState(row.policy?.archive ?? false);
  const [enabled, setEnabled] = useState(row.policy?.enabled ?? true);
  const save = useMutation({ mutationFn: () => api(`/api/admin/retention/${row.processId}`, { method: "PUT", body: { keepFinishedSec: amount * UNITS[unit], archive, enabled } }), onSuccess: onChanged });
  const remove = useMutation({ mutationFn: () => api(`/api/admin/retention/${row.processId}`, { method: "DELETE" }), onSuccess: onChanged });
  const p = row.policy;
  return (
    <tr data-testid={`retention-row-${row.processId}`}>
      <td className="px-3 py-2"><div className="font-medium">#{row.processId} {row.title}</div>{row.folder && <div className="text-xs text-slate-500">{row.folder}</div>}</td>
      <td className="px-3 py-2 text-right tabular-nums">{row.liveTasks}</td>
      <td className="px-3 py-2 text-right tabular-nums">{row.finishedTasks}</td>
      <td className="px-3 py-2">
        <div className="flex flex-wrap items-center gap-2">
          <Input type="number" min={1} className="w-20" value={amount} onChange={(e) => setAmount(Math.max(1, Number(e.target.value) || 1))} aria-label="keep for" data-testid={`retention-amount-${row.processId}`} />
          <Select value={unit} onChange={(e) => setUnit(e.target.value as Unit)} aria-label="unit" data-testid={`retention-unit-${row.processId}`}><option value="hours">hours</option><option value="days">days</option></Select>
          <label className="flex items-center gap-1 text-xs"><input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} /> archive to files first</label>
          <label className="flex items-center gap-1 text-xs"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> enabled</label>
          <Button variant="secondary" onClick={() => save.mutate()} disabled={save.isPending} data-testid={`retention-save-${row.processId}`}>{p ? "Save" : "Set policy"}</Button>
          {p && <Button variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>Remove</Button>}
        </div>
        <div className="mt-1 text-xs text-slate-500" data-testid={`retention-policy-${row.processId}`}>
          {p ? `${p.enabled ? "Purges" : "Paused: would purge"} tasks finished more than ${describeKeep(p.keepFinishedSec)} ago${p.archive ? ", archiving them first" : ""}.` : "No policy: finished tasks are kept."}
        </div>
        <ErrorNote error={save.error ?? remove.error} />
      </td>
      <td className="px-3 py-2 text-xs text-slate-500">{p?.lastRunAt ? <>{new Date(p.lastRunAt).toLocaleString()}<br />{p.lastPurged} purged ({p.purgedTotal} in all)</> : "never"}</td>
    </tr>
  );
}

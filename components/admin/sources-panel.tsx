"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input, OnceBox, Select } from "../lib/ui";

interface SourceRow { id: string; name: string; processId: number; processTitle: string | null; authType: string; replayWindowSec: number; disabled: boolean; lastUsedAt: string | null; acceptedTotal: number }

/** CloudTrail ingestion sources: where events come in, into which process, with which credential. */
export function SourcesPanel({ processes, appUrl }: { processes: Array<{ id: number; title: string }>; appUrl: string }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["sources"], queryFn: () => api<{ sources: SourceRow[] }>("/api/admin/sources").then((r) => r.sources) });
  const [form, setForm] = useState({ name: "", processId: processes[0]?.id ?? 0, authType: "bearer" });
  const [shown, setShown] = useState<{ title: string; value: string } | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["sources"] });
  const create = useMutation({
    mutationFn: () => api<{ source: { url: string; name: string }; credential: string }>("/api/admin/sources", { body: form }),
    onSuccess: (r) => {
      setShown({ title: `${form.authType === "bearer" ? "Bearer token" : "HMAC signing secret"} of "${r.source.name}" — POST to ${r.source.url}`, value: r.credential });
      setForm({ ...form, name: "" });
      refresh();
    },
  });
  const rotate = useMutation({ mutationFn: (s: SourceRow) => api<{ credential: string }>(`/api/admin/sources/${s.id}/rotate`, { method: "POST" }).then((r) => ({ title: `New credential of "${s.name}"`, value: r.credential })), onSuccess: setShown, onSettled: refresh });
  const patch = useMutation({ mutationFn: ({ id, ...body }: { id: string; disabled: boolean }) => api(`/api/admin/sources/${id}`, { method: "PATCH", body }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/admin/sources/${id}`, { method: "DELETE" }), onSettled: refresh });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="source-form">
        <Field label="Name"><Input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="production trail" /></Field>
        <Field label="Target process">
          <Select value={form.processId} onChange={(e) => setForm({ ...form, processId: Number(e.target.value) })}>
            {processes.map((p) => <option key={p.id} value={p.id}>#{p.id} {p.title}</option>)}
          </Select>
        </Field>
        <Field label="Authentication">
          <Select value={form.authType} onChange={(e) => setForm({ ...form, authType: e.target.value })}>
            <option value="bearer">Bearer token</option>
            <option value="hmac">HMAC-SHA256 signature</option>
          </Select>
        </Field>
        <Button onClick={() => create.mutate()} disabled={!form.name.trim() || !form.processId || create.isPending}>Create source</Button>
        <div className="basis-full"><ErrorNote error={create.error} /></div>
      </div>
      {shown && <OnceBox title={shown.title} value={shown.value} testId="source-credential" />}
      <ErrorNote error={list.error ?? patch.error ?? remove.error ?? rotate.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="sources-table">
        <thead className="bg-slate-50 text-left text-slate-500"><tr><th className="px-3 py-2">Source</th><th className="px-3 py-2">Process</th><th className="px-3 py-2">Auth</th><th className="px-3 py-2">Accepted</th><th className="px-3 py-2" /></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {(list.data ?? []).map((s) => (
            <tr key={s.id}>
              <td className="px-3 py-2"><div className="font-medium">{s.name}{s.disabled && <span className="ml-2 text-red-700">disabled</span>}</div><code className="text-xs text-slate-500">{appUrl}/api/ingest/cloudtrail/{s.id}</code></td>
              <td className="px-3 py-2">#{s.processId} {s.processTitle ?? "(deleted)"}</td>
              <td className="px-3 py-2">{s.authType === "bearer" ? "bearer token" : `HMAC, ${s.replayWindowSec} s window`}</td>
              <td className="px-3 py-2 tabular-nums">{s.acceptedTotal}<div className="text-xs text-slate-500">{s.lastUsedAt ? `last ${new Date(s.lastUsedAt).toLocaleString()}` : "never used"}</div></td>
              <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right">
                <Button variant="secondary" onClick={() => rotate.mutate(s)}>Rotate</Button>
                <Button variant="secondary" onClick={() => patch.mutate({ id: s.id, disabled: !s.disabled })}>{s.disabled ? "Enable" : "Disable"}</Button>
                <Button variant="danger" onClick={() => confirm(`Delete source ${s.name}? Its senders will be refused.`) && remove.mutate(s.id)}>Delete</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

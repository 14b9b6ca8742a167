"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ProcessParam } from "@/engine/index";
import { api } from "../../lib/api";
import { Button, ErrorNote } from "../../lib/ui";

const FLAGS = ["input", "output", "required"] as const;

export interface ProcessInfo {
  id: number;
  title: string;
  description: string;
  status: string;
  directUrlHash: string;
}

/**
 * The process itself (shown when no node is selected): title, description,
 * status, its Direct URL, and the parameter descriptions (input parameters
 * are checked when tasks are created and offered as you type).
 */
export function ProcessPanel({ info, canEdit, params, onParams, onRenamed }: {
  info: ProcessInfo;
  canEdit: boolean;
  params: ProcessParam[];
  onParams(params: ProcessParam[]): void;
  onRenamed(info: Partial<ProcessInfo>): void;
}) {
  const [title, setTitle] = useState(info.title);
  const [description, setDescription] = useState(info.description);
  useEffect(() => setTitle(info.title), [info.title]);
  const patch = useMutation({
    mutationFn: (body: Partial<Pick<ProcessInfo, "title" | "description" | "status">>) => api(`/api/processes/${info.id}`, { method: "PATCH", body }).then(() => body),
    onSuccess: (body) => onRenamed(body),
  });
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const directUrl = `${origin}/api/1/json/public/${info.id}/${info.directUrlHash}`;
  const setParam = (i: number, p: Partial<ProcessParam>) => onParams(params.map((x, j) => (j === i ? { ...x, ...p } : x)));
  return (
    <div className="space-y-4" data-testid="process-panel">
      <div className="space-y-2">
        <label className="block text-xs font-medium text-slate-700">Title
          <input className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm" value={title} readOnly={!canEdit} data-testid="process-title-input"
            onChange={(e) => setTitle(e.target.value)} onBlur={() => title.trim() && title !== info.title && patch.mutate({ title: title.trim() })} />
        </label>
        <label className="block text-xs font-medium text-slate-700">Description
          <textarea rows={2} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm" value={description} readOnly={!canEdit}
            onChange={(e) => setDescription(e.target.value)} onBlur={() => description !== info.description && patch.mutate({ description })} />
        </label>
        <div className="flex items-center gap-2 text-sm">
          <span className={`rounded px-2 py-0.5 text-xs ${info.status === "active" ? "bg-emerald-50 text-emerald-700" : "bg-amber-50 text-amber-700"}`}>{info.status}</span>
          {canEdit && (
            <Button variant="secondary" onClick={() => patch.mutate({ status: info.status === "active" ? "paused" : "active" })}>
              {info.status === "active" ? "Pause (refuse new tasks)" : "Resume"}
            </Button>
          )}
        </div>
        <ErrorNote error={patch.error} />
      </div>
      <div className="space-y-1">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Direct URL</h3>
        <p className="text-xs text-slate-500">POST a JSON task here to create a task (no signature; keep it secret).</p>
        <code className="block break-all rounded bg-slate-100 px-2 py-1 text-xs" data-testid="direct-url">{directUrl}</code>
      </div>
      <div className="space-y-2">
        <div className="flex items-center justify-between">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Parameters</h3>
          {canEdit && <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => onParams([...params, { name: "", type: "string", descr: "", flags: ["input"] }])} data-testid="add-param">+ parameter</button>}
        </div>
        {params.length === 0 && <p className="text-xs text-slate-500">None described. Described parameters are offered as you type templates.</p>}
        {params.map((p, i) => (
          <div key={i} className="space-y-1 rounded border border-slate-200 p-2" data-testid={`param-${i}`}>
            <div className="flex gap-1">
              <input aria-label={`parameter ${i + 1} name`} placeholder="name" className="min-w-0 flex-1 rounded border border-slate-300 px-1.5 py-0.5 text-sm" value={p.name} readOnly={!canEdit} onChange={(e) => setParam(i, { name: e.target.value })} />
              <select aria-label={`parameter ${i + 1} type`} className="rounded border border-slate-300 bg-white text-xs" value={p.type ?? "string"} disabled={!canEdit} onChange={(e) => setParam(i, { type: e.target.value })}>
                {["string", "number", "boolean", "array", "object"].map((t) => <option key={t}>{t}</option>)}
              </select>
              {canEdit && <button type="button" aria-label={`remove parameter ${i + 1}`} className="px-1 text-xs text-red-700" onClick={() => onParams(params.filter((_, j) => j !== i))}>✕</button>}
            </div>
            <input aria-label={`parameter ${i + 1} description`} placeholder="description" className="w-full rounded border border-slate-300 px-1.5 py-0.5 text-xs" value={p.descr ?? ""} readOnly={!canEdit} onChange={(e) => setParam(i, { descr: e.target.value })} />
            <div className="flex gap-3 text-xs">
              {FLAGS.map((f) => (
                <label key={f} className="flex items-center gap-1">
                  <input type="checkbox" disabled={!canEdit} checked={(p.flags ?? []).includes(f)} onChange={(e) => setParam(i, { flags: e.target.checked ? [...(p.flags ?? []), f] : (p.flags ?? []).filter((x) => x !== f) })} />
                  {f}
                </label>
              ))}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}

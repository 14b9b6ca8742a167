"use client";
import { useMemo, useState } from "react";
import { Button, Dialog, Field, Input, Select } from "../lib/ui";
import { SPAN_DEFAULTS, type Bucket, type CatalogProcess, type Widget, type WidgetType } from "./types";

const TYPES: Array<{ type: WidgetType; label: string; hint: string }> = [
  { type: "count", label: "Count", hint: "Tasks in one node now (a final node: its total)" },
  { type: "chart", label: "Chart over time", hint: "Nodes' counts by minute, hour or day" },
  { type: "funnel", label: "Funnel", hint: "Several nodes side by side, as stages" },
  { type: "sum", label: "Sum values", hint: "Totals of a node's Sum block" },
  { type: "alerts", label: "Recent alerts", hint: "The latest alerts, of one process or all" },
];

const KIND_LABEL: Record<string, string> = { start: "start", normal: "", "final-success": "final ✓", "final-error": "final ✗", escalation: "escalation" };

/** Everything the form edits, whatever the type; turned into one widget on save. */
interface Draft {
  type: WidgetType;
  title: string;
  width: number;
  processId: number | null;
  nodeId: string;
  nodeIds: string[];
  chart: "line" | "bar";
  bucket: Bucket;
  span: number;
  measure: "auto" | "level" | "increase";
  period: "total" | "hour" | "day" | "week";
  sumId: string;
  limit: number;
}

function toDraft(w: Widget | null, processes: CatalogProcess[]): Draft {
  const base: Draft = {
    type: "count", title: "", width: 1, processId: processes[0]?.id ?? null, nodeId: "", nodeIds: [], chart: "line", bucket: "minute", span: 60, measure: "auto", period: "total", sumId: "", limit: 10,
  };
  if (!w) return base;
  const d: Draft = { ...base, type: w.type, title: w.title, width: w.width, processId: w.processId };
  if (w.type === "count" || w.type === "sum") d.nodeId = w.nodeId;
  if (w.type === "sum") d.sumId = w.sumId ?? "";
  if (w.type === "chart" || w.type === "funnel") d.nodeIds = w.nodeIds;
  if (w.type === "chart") Object.assign(d, { chart: w.chart, bucket: w.bucket, span: w.span ?? SPAN_DEFAULTS[w.bucket].default, measure: w.measure });
  if (w.type === "funnel") d.period = w.period;
  if (w.type === "alerts") d.limit = w.limit;
  return d;
}

function fromDraft(d: Draft, id: string): Widget | string {
  const common = { id, title: d.title.trim(), width: d.width };
  if (d.type === "alerts") return { ...common, type: "alerts", processId: d.processId, limit: d.limit };
  if (!d.processId) return "pick a process";
  switch (d.type) {
    case "count":
      return d.nodeId ? { ...common, type: "count", processId: d.processId, nodeId: d.nodeId } : "pick a node";
    case "sum":
      return d.nodeId ? { ...common, type: "sum", processId: d.processId, nodeId: d.nodeId, ...(d.sumId ? { sumId: d.sumId } : {}) } : "pick a node";
    case "chart":
      if (d.nodeIds.length === 0) return "pick at least one node";
      if (d.nodeIds.length > 8) return "at most 8 nodes per chart";
      return { ...common, type: "chart", processId: d.processId, nodeIds: d.nodeIds, chart: d.chart, bucket: d.bucket, span: d.span, measure: d.measure };
    case "funnel":
      return d.nodeIds.length >= 2 ? { ...common, type: "funnel", processId: d.processId, nodeIds: d.nodeIds, period: d.period } : "a funnel needs at least two nodes";
  }
}

/**
 * Adds or edits one widget: what it shows, which process and nodes it binds
 * to, how it looks. Nodes come from the process's published version.
 */
export function WidgetEditor({ open, widget, processes, onSave, onClose, saving, error }: {
  open: boolean;
  widget: Widget | null;
  processes: CatalogProcess[];
  onSave(w: Widget): void;
  onClose(): void;
  saving: boolean;
  error: unknown;
}) {
  const [d, setD] = useState<Draft>(() => toDraft(widget, processes));
  const [problem, setProblem] = useState<string | null>(null);
  const proc = useMemo(() => processes.find((p) => p.id === d.processId) ?? null, [processes, d.processId]);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const toggle = (id: string) => set({ nodeIds: d.nodeIds.includes(id) ? d.nodeIds.filter((x) => x !== id) : [...d.nodeIds, id] });
  const nodes = (proc?.nodes ?? []).filter((n) => n.kind !== "start" || d.type === "funnel");

  return (
    <Dialog open={open} title={widget ? "Edit widget" : "Add a widget"} onClose={onClose} testId="widget-editor" width="w-[36rem]">
      <form className="space-y-3" onSubmit={(e) => {
        e.preventDefault();
        const out = fromDraft(d, widget?.id ?? `w${Date.now().toString(36)}`);
        if (typeof out === "string") return setProblem(out);
        setProblem(null);
        onSave(out);
      }}>
        <fieldset className="grid grid-cols-5 gap-1" aria-label="Widget type">
          {TYPES.map((t) => (
            <label key={t.type} title={t.hint} className={`cursor-pointer rounded border px-2 py-1.5 text-center text-xs ${d.type === t.type ? "border-brand-500 bg-brand-50 text-brand-700" : "border-slate-200 hover:bg-slate-50"}`}>
              <input type="radio" name="widget-type" value={t.type} checked={d.type === t.type} onChange={() => set({ type: t.type })} className="sr-only" data-testid={`widget-type-${t.type}`} />
              {t.label}
            </label>
          ))}
        </fieldset>
        <p className="text-xs text-slate-500">{TYPES.find((t) => t.type === d.type)?.hint}</p>

        <div className="grid grid-cols-2 gap-3">
          <Field label={d.type === "alerts" ? "Process (optional)" : "Process"}>
            <Select value={d.processId ?? ""} onChange={(e) => set({ processId: e.target.value ? Number(e.target.value) : null, nodeId: "", nodeIds: [], sumId: "" })} data-testid="widget-process">
              {d.type === "alerts" && <option value="">All processes</option>}
              {processes.map((p) => <option key={p.id} value={p.id}>#{p.id} {p.title}{p.publishedVersion ? "" : " (draft)"}</option>)}
            </Select>
          </Field>
          <Field label="Title (optional)"><Input value={d.title} onChange={(e) => set({ title: e.target.value })} placeholder="shown on the tile" data-testid="widget-title" /></Field>
        </div>

        {(d.type === "count" || d.type === "sum") && (
          <Field label="Node">
            <Select value={d.nodeId} onChange={(e) => set({ nodeId: e.target.value, sumId: "" })} data-testid="widget-node">
              <option value="">Pick a node…</option>
              {nodes.filter((n) => d.type !== "sum" || n.sums.length > 0).map((n) => <option key={n.id} value={n.id}>{n.title} {KIND_LABEL[n.kind]}</option>)}
            </Select>
          </Field>
        )}
        {d.type === "sum" && d.nodeId && (
          <Field label="Sum">
            <Select value={d.sumId} onChange={(e) => set({ sumId: e.target.value })}>
              <option value="">All sums of the node</option>
              {(proc?.nodes.find((n) => n.id === d.nodeId)?.sums ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </Select>
          </Field>
        )}
        {(d.type === "chart" || d.type === "funnel") && (
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-700">{d.type === "funnel" ? "Stages, in the order you tick them" : "Nodes (up to 8)"}</legend>
            <ul className="max-h-48 space-y-0.5 overflow-y-auto rounded border border-slate-200 p-2 text-sm" data-testid="widget-nodes">
              {nodes.map((n) => (
                <li key={n.id}>
                  <label className="flex items-center gap-2">
                    <input type="checkbox" checked={d.nodeIds.includes(n.id)} onChange={() => toggle(n.id)} data-testid={`widget-node-${n.id}`} />
                    <span className="flex-1 truncate">{n.title}</span>
                    <span className="text-xs text-slate-400">{KIND_LABEL[n.kind]}{d.nodeIds.includes(n.id) && d.type === "funnel" ? ` · stage ${d.nodeIds.indexOf(n.id) + 1}` : ""}</span>
                  </label>
                </li>
              ))}
              {nodes.length === 0 && <li className="text-slate-500">Pick a process first.</li>}
            </ul>
          </fieldset>
        )}
        {d.type === "chart" && (
          <div className="grid grid-cols-4 gap-3">
            <Field label="Chart"><Select value={d.chart} onChange={(e) => set({ chart: e.target.value as Draft["chart"] })} data-testid="widget-chart-kind"><option value="line">Line</option><option value="bar">Bars</option></Select></Field>
            <Field label="By">
              <Select value={d.bucket} onChange={(e) => { const bucket = e.target.value as Bucket; set({ bucket, span: SPAN_DEFAULTS[bucket].default }); }} data-testid="widget-bucket">
                <option value="minute">minute</option><option value="hour">hour</option><option value="day">day</option>
              </Select>
            </Field>
            <Field label={`Last (${d.bucket}s)`}><Input type="number" min={2} max={SPAN_DEFAULTS[d.bucket].max} value={d.span} onChange={(e) => set({ span: Math.max(2, Math.min(SPAN_DEFAULTS[d.bucket].max, Number(e.target.value) || 2)) })} /></Field>
            <Field label="Plot">
              <Select value={d.measure} onChange={(e) => set({ measure: e.target.value as Draft["measure"] })} data-testid="widget-measure">
                <option value="auto">auto</option><option value="level">tasks in the node</option><option value="increase">tasks arrived</option>
              </Select>
            </Field>
          </div>
        )}
        {d.type === "chart" && <p className="text-xs text-slate-500">auto: a final node plots the tasks that arrived per {d.bucket}, any other node how many tasks were in it.</p>}
        {d.type === "funnel" && (
          <Field label="Period">
            <Select value={d.period} onChange={(e) => set({ period: e.target.value as Draft["period"] })}>
              <option value="total">counters now</option><option value="hour">gained in the last hour</option><option value="day">gained in the last day</option><option value="week">gained in the last week</option>
            </Select>
          </Field>
        )}
        {d.type === "alerts" && <Field label="Rows"><Input type="number" min={1} max={50} value={d.limit} onChange={(e) => set({ limit: Math.max(1, Math.min(50, Number(e.target.value) || 10)) })} /></Field>}

        <Field label="Width">
          <Select value={d.width} onChange={(e) => set({ width: Number(e.target.value) })} data-testid="widget-width">
            <option value={1}>1 column</option><option value={2}>2 columns</option><option value={3}>3 columns</option><option value={4}>full width</option>
          </Select>
        </Field>

        {(problem || error) ? <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="widget-error">{problem ?? (error instanceof Error ? error.message : String(error))}</p> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" disabled={saving} data-testid="widget-save">{saving ? "Saving…" : widget ? "Save" : "Add"}</Button>
        </div>
      </form>
    </Dialog>
  );
}

"use client";
import { useEffect, useId, useState, type ReactNode } from "react";
import { COMPARE_FUNS } from "@/engine/expr/compare";
import { VALUE_TYPES } from "@/engine/expr/cast";
import { useInspector } from "./inspector-context";
import { TemplateInput } from "./template-input";

export const inputClass = "w-full rounded-md border border-slate-300 px-2 py-1 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500/30 [&[readonly]]:border-slate-200 [&[readonly]]:bg-slate-50 [&[readonly]]:text-slate-600 [&[readonly]]:shadow-none disabled:border-slate-200 disabled:bg-slate-50 disabled:text-slate-600 disabled:shadow-none";

/** A labelled control with the error the block's schema reports for it. */
export function Field({ label, error, hint, children }: { label: string; error?: string; hint?: ReactNode; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">{label}</label>
      {children(id)}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && <p className="text-xs text-red-700" role="alert" data-testid="field-error">{error}</p>}
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="space-y-2 border-t border-slate-200 pt-3">
      <div className="flex items-center justify-between">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Checkbox({ label, checked, onChange, testId }: { label: string; checked: boolean; onChange(v: boolean): void; testId?: string }) {
  const { readOnly } = useInspector();
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" checked={checked} disabled={readOnly} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      {label}
    </label>
  );
}

export function SmallButton({ children, onClick, label, tone = "default", testId }: { children: ReactNode; onClick(): void; label?: string; tone?: "default" | "danger"; testId?: string }) {
  const { readOnly } = useInspector();
  if (readOnly) return null;
  return (
    <button type="button" onClick={onClick} aria-label={label} data-testid={testId}
      className={`rounded border px-2 py-0.5 text-xs ${tone === "danger" ? "border-red-200 text-red-700 hover:bg-red-50" : "border-slate-300 text-slate-700 hover:bg-slate-50"}`}>
      {children}
    </button>
  );
}

const asText = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));

interface Row {
  key: string;
  value: string;
  type: string;
}

/**
 * Key/value(/type) rows over Corezoid's paired maps (`extra` + `extra_type`,
 * `data` + `data_type`, ...). Rows are kept locally so a key can be empty or
 * a duplicate while it is typed; the maps get what the rows say, the first
 * of duplicate keys winning.
 */
export function ValueMapEditor({ values, types, onChange, withTypes = true, keyLabel = "parameter", valueLabel = "value", errors, testId }: {
  values: Record<string, unknown> | undefined;
  types?: Record<string, string> | undefined;
  onChange(values: Record<string, string>, types: Record<string, string>): void;
  withTypes?: boolean;
  keyLabel?: string;
  valueLabel?: string;
  errors?: string;
  testId?: string;
}) {
  const { readOnly } = useInspector();
  const fromProps = (): Row[] => Object.entries(values ?? {}).map(([key, v]) => ({ key, value: asText(v), type: types?.[key] ?? "string" }));
  const [rows, setRows] = useState<Row[]>(fromProps);
  const toMaps = (rs: Row[]) => {
    const vs: Record<string, string> = {};
    const ts: Record<string, string> = {};
    for (const r of rs) {
      if (r.key in vs) continue;
      vs[r.key] = r.value;
      ts[r.key] = r.type;
    }
    return { vs, ts };
  };
  const signature = JSON.stringify([values ?? {}, withTypes ? (types ?? {}) : {}]);
  useEffect(() => {
    // An outside change (undo, another node selected): show what the document says.
    const { vs, ts } = toMaps(rows);
    if (JSON.stringify([vs, withTypes ? ts : {}]) !== signature) setRows(fromProps());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);
  const update = (next: Row[]) => {
    setRows(next);
    const { vs, ts } = toMaps(next);
    onChange(vs, ts);
  };
  return (
    <div className="space-y-1.5" data-testid={testId}>
      {rows.map((r, i) => (
        <div key={i} className="flex items-start gap-1">
          <input className={`${inputClass} w-2/5`} aria-label={`${keyLabel} ${i + 1}`} placeholder={keyLabel} value={r.key} readOnly={readOnly}
            onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} data-testid={testId ? `${testId}-key-${i}` : undefined} />
          <div className="min-w-0 flex-1">
            <TemplateInput label={`${valueLabel} ${i + 1}`} placeholder={valueLabel} value={r.value} onChange={(v) => update(rows.map((x, j) => (j === i ? { ...x, value: v } : x)))} testId={testId ? `${testId}-value-${i}` : undefined} />
          </div>
          {withTypes && (
            <select className="rounded-md border border-slate-300 bg-white px-1 py-1 text-xs" aria-label={`type ${i + 1}`} value={r.type} disabled={readOnly}
              onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, type: e.target.value } : x)))}>
              {VALUE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          )}
          <SmallButton label={`remove ${keyLabel} ${i + 1}`} tone="danger" onClick={() => update(rows.filter((_, j) => j !== i))}>✕</SmallButton>
        </div>
      ))}
      <SmallButton onClick={() => update([...rows, { key: "", value: "", type: "string" }])} testId={testId ? `${testId}-add` : undefined}>+ add {keyLabel}</SmallButton>
      {errors && <p className="text-xs text-red-700" role="alert">{errors}</p>}
    </div>
  );
}

export interface ConditionValue {
  param: string;
  fun: string;
  const: string | number | boolean;
  cast?: string;
  [k: string]: unknown;
}

const FUN_TEXT: Record<string, string> = { eq: "equals", not_eq: "not equal", less: "less than", more: "more than", less_or_eq: "at most", more_or_eq: "at least", regexp: "matches regexp" };

/** The conditions of one branch (all must hold). */
export function ConditionsEditor({ conditions, onChange, testId }: { conditions: ConditionValue[]; onChange(c: ConditionValue[]): void; testId: string }) {
  const { readOnly } = useInspector();
  const set = (i: number, patch: Partial<ConditionValue>) => onChange(conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <div className="space-y-1.5">
      {conditions.map((c, i) => (
        <div key={i} className="space-y-1 rounded border border-slate-200 bg-slate-50 p-1.5">
          {i > 0 && <div className="text-[10px] font-semibold uppercase text-slate-500">and</div>}
          <TemplateInput label={`parameter of condition ${i + 1}`} placeholder="parameter, e.g. eventType or {{eventType}}" value={c.param} onChange={(v) => set(i, { param: v })} testId={`${testId}-param-${i}`} />
          <div className="flex gap-1">
            <select className="rounded-md border border-slate-300 bg-white px-1 py-1 text-xs" aria-label={`comparison of condition ${i + 1}`} value={c.fun} disabled={readOnly} onChange={(e) => set(i, { fun: e.target.value })} data-testid={`${testId}-fun-${i}`}>
              {COMPARE_FUNS.map((f) => <option key={f} value={f}>{FUN_TEXT[f]}</option>)}
            </select>
            <div className="min-w-0 flex-1">
              <TemplateInput label={`value of condition ${i + 1}`} placeholder="value" value={asText(c.const)} onChange={(v) => set(i, { const: v })} testId={`${testId}-const-${i}`} />
            </div>
            <select className="rounded-md border border-slate-300 bg-white px-1 py-1 text-xs" aria-label={`type of condition ${i + 1}`} value={c.cast ?? "string"} disabled={readOnly} onChange={(e) => set(i, { cast: e.target.value })}>
              {VALUE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
            {conditions.length > 1 && <SmallButton label={`remove condition ${i + 1}`} tone="danger" onClick={() => onChange(conditions.filter((_, j) => j !== i))}>✕</SmallButton>}
          </div>
        </div>
      ))}
      <SmallButton onClick={() => onChange([...conditions, { param: "", fun: "eq", const: "", cast: "string" }])} testId={`${testId}-and`}>+ and</SmallButton>
    </div>
  );
}

/** A target process: its id (picked from the list or typed), an `@alias` or a `{{template}}`. */
export function ProcessPicker({ value, onChange, error, label = "Process" }: { value: unknown; onChange(v: number | string): void; error?: string; label?: string }) {
  const { processes, readOnly } = useInspector();
  const listId = useId();
  const text = value === undefined || value === null ? "" : String(value);
  const known = processes.find((p) => String(p.id) === text);
  return (
    <Field label={label} error={error} hint={known ? `#${known.id} ${known.title}` : "a process id, @alias or {{parameter}}"}>
      {(id) => (
        <>
          <input id={id} list={listId} className={inputClass} value={text} readOnly={readOnly} placeholder="process id"
            onChange={(e) => onChange(/^\d{1,9}$/.test(e.target.value) ? Number(e.target.value) : e.target.value)} data-testid="process-picker" />
          <datalist id={listId}>{processes.map((p) => <option key={p.id} value={p.id}>{p.title}</option>)}</datalist>
        </>
      )}
    </Field>
  );
}

/** Where a link goes: the connected node's title, or how to connect it. */
export function LinkTarget({ target, kind }: { target: string; kind: string }) {
  const { scheme } = useInspector();
  if (!target) return <span className="text-xs text-amber-700" data-testid="link-open">not connected: drag from its {kind} port on the canvas</span>;
  const node = scheme.nodes.find((n) => n.id === target);
  return <span className="text-xs text-slate-600">→ {node ? node.title || "(untitled)" : <span className="text-red-700">missing node {target}</span>}</span>;
}

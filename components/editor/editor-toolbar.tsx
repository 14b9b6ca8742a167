"use client";
import type { ReactNode } from "react";
import type { SaveStatus } from "./use-autosave";

const SAVE_TEXT: Record<SaveStatus, string> = {
  saved: "All changes saved",
  unsaved: "Unsaved changes",
  saving: "Saving…",
  error: "Save failed: retrying",
  conflict: "Changed elsewhere",
};

const SAVE_STYLE: Record<SaveStatus, string> = {
  saved: "text-emerald-700",
  unsaved: "text-amber-700",
  saving: "text-slate-500",
  error: "text-red-700",
  conflict: "text-red-700",
};

export function SaveIndicator({ status, error }: { status: SaveStatus; error: string | null }) {
  return (
    <span role="status" aria-live="polite" className={`flex items-center gap-1 text-xs ${SAVE_STYLE[status]}`} data-testid="save-status" data-status={status} title={error ?? undefined}>
      <span className={`inline-block h-2 w-2 rounded-full ${status === "saved" ? "bg-emerald-500" : status === "saving" ? "animate-pulse bg-slate-400" : status === "unsaved" ? "bg-amber-500" : "bg-red-500"}`} aria-hidden />
      {SAVE_TEXT[status]}
    </span>
  );
}

export function ToolButton({ children, onClick, disabled, label, testId, pressed }: { children: ReactNode; onClick(): void; disabled?: boolean; label: string; testId?: string; pressed?: boolean }) {
  return (
    <button type="button" onClick={onClick} disabled={disabled} title={label} aria-label={label} aria-pressed={pressed} data-testid={testId}
      className={`rounded-md border px-2 py-1 text-sm disabled:opacity-40 ${pressed ? "border-brand-500 bg-brand-50 text-brand-700" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}>
      {children}
    </button>
  );
}

export function Tabs<T extends string>({ value, options, onChange, label }: { value: T; options: Array<{ value: T; label: ReactNode; testId?: string }>; onChange(v: T): void; label: string }) {
  return (
    <div role="tablist" aria-label={label} className="flex rounded-md border border-slate-300 bg-white p-0.5">
      {options.map((o) => (
        <button key={o.value} type="button" role="tab" aria-selected={value === o.value} onClick={() => onChange(o.value)} data-testid={o.testId}
          className={`rounded px-2.5 py-0.5 text-sm ${value === o.value ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100"}`}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

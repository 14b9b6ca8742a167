"use client";
import { useEffect, useRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

/** Small styled primitives shared by the admin and settings pages. */
export function Button({ variant = "primary", className = "", ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "secondary" | "danger" }) {
  const styles = {
    primary: "bg-brand-600 text-white hover:bg-brand-700",
    secondary: "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50",
    danger: "border border-red-300 bg-white text-red-700 hover:bg-red-50",
  }[variant];
  return <button type="button" className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${styles} ${className}`} {...rest} />;
}

export function Input(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...props} className={`rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 ${props.className ?? ""}`} />;
}

export function Select(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...props} className={`rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm ${props.className ?? ""}`} />;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium text-slate-700">{label}</span>
      {children}
    </label>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** A value shown once (a secret, an invitation link) with a copy button. */
export function OnceBox({ title, value, testId }: { title: string; value: string; testId: string }) {
  return (
    <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid={testId}>
      <div className="mb-1 font-medium text-amber-900">{title}</div>
      <div className="flex items-center gap-2">
        <code className="flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid={`${testId}-value`}>{value}</code>
        <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(value)}>Copy</Button>
      </div>
      <div className="mt-1 text-xs text-amber-800">Shown once: it is not stored in readable form and cannot be shown again.</div>
    </div>
  );
}

/** A native modal `<dialog>`, centred (`m-auto`: Tailwind's preflight zeroes the UA margin): focus moves in and stays, Esc closes (calls onClose). */
export function Dialog({ open, title, onClose, children, testId, width = "w-[32rem]" }: { open: boolean; title: string; onClose(): void; children: ReactNode; testId: string; width?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} className={`m-auto ${width} max-w-[95vw] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40`} aria-label={title} data-testid={testId}>
      {open && (
        <div className="space-y-3 p-4">
          <h2 className="text-lg font-semibold">{title}</h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

"use client";

const STATUS_STYLE: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  sending: "bg-sky-100 text-sky-800",
  retrying: "bg-amber-100 text-amber-800",
  sent: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
};

/** An alert's delivery status; `failed` is the dead-letter state (resend starts over). */
export function AlertStatusBadge({ status }: { status: string }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? "bg-slate-100"}`} data-testid="alert-status">
      {status === "failed" ? "failed (dead-letter)" : status}
    </span>
  );
}

const SEVERITY_STYLE: Record<string, string> = {
  info: "text-slate-500", low: "text-sky-700", medium: "text-amber-700", high: "text-orange-700", critical: "text-red-700 font-semibold",
};

export function SeverityLabel({ severity }: { severity: string }) {
  return <span className={`text-xs uppercase ${SEVERITY_STYLE[severity] ?? ""}`}>{severity}</span>;
}

"use client";
import type { ProcessScheme, ValidationIssue } from "@/engine/index";

/** Validation problems of the draft; errors block publishing. Choosing one selects its node. */
export function ProblemsPanel({ issues, scheme, onFocusNode }: { issues: ValidationIssue[]; scheme: ProcessScheme; onFocusNode(id: string): void }) {
  const titles = new Map(scheme.nodes.map((n) => [n.id, n.title || "(untitled)"]));
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <div className="space-y-2" data-testid="problems-panel">
      <p className="text-sm text-slate-600">
        {issues.length === 0 ? "No problems: the draft can be published." : `${errors} error(s) block publishing; ${issues.length - errors} warning(s).`}
      </p>
      <ul className="space-y-1">
        {issues.map((i, n) => (
          <li key={n}>
            <button type="button" disabled={!i.nodeId} onClick={() => i.nodeId && onFocusNode(i.nodeId)} data-testid={`problem-${n}`} data-node-id={i.nodeId ?? ""}
              className={`w-full rounded border px-2 py-1.5 text-left text-sm ${i.severity === "error" ? "border-red-200 bg-red-50 text-red-900" : "border-amber-200 bg-amber-50 text-amber-900"}`}>
              <span className="block text-xs font-semibold">{i.nodeId ? titles.get(i.nodeId) ?? i.nodeId : "Process"} · {i.code.replaceAll("_", " ")}</span>
              <span className="block">{i.message}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

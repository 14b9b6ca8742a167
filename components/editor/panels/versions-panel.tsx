"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api";
import { ErrorNote } from "../../lib/ui";

export interface VersionItem {
  version: number;
  createdAt: string;
  createdBy: string | null;
  current: boolean;
  nodes: number;
}

/**
 * Published versions (immutable), newest first: who published each and when.
 * View one read-only on the canvas; restore one into the draft.
 */
export function VersionsPanel({ processId, canEdit, viewing, onView, onRestored }: {
  processId: number;
  canEdit: boolean;
  viewing: number | null;
  onView(version: number | null): void;
  onRestored(revision: number, version: number): void;
}) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["versions", processId], queryFn: () => api<{ versions: VersionItem[] }>(`/api/processes/${processId}/versions`).then((r) => r.versions) });
  const restore = useMutation({
    mutationFn: (version: number) => api<{ revision: number }>(`/api/processes/${processId}/versions/${version}/restore`, { method: "POST" }).then((r) => ({ ...r, version })),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ["versions", processId] });
      onRestored(r.revision, r.version);
    },
  });
  return (
    <div className="space-y-2" data-testid="versions-panel">
      <ErrorNote error={list.error ?? restore.error} />
      {list.data?.length === 0 && <p className="text-sm text-slate-500">Not published yet.</p>}
      <ul className="space-y-1.5">
        {(list.data ?? []).map((v) => (
          <li key={v.version} className={`rounded border px-2 py-1.5 text-sm ${viewing === v.version ? "border-brand-500 bg-brand-50" : "border-slate-200 bg-white"}`} data-testid={`version-${v.version}`}>
            <div className="flex items-center gap-2">
              <span className="font-semibold">v{v.version}</span>
              {v.current && <span className="rounded bg-emerald-50 px-1.5 text-xs text-emerald-700">live</span>}
              <span className="ml-auto text-xs text-slate-500">{v.nodes} nodes</span>
            </div>
            <div className="text-xs text-slate-600">{new Date(v.createdAt).toLocaleString()} · {v.createdBy ?? "system"}</div>
            <div className="mt-1 flex gap-2">
              <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => onView(viewing === v.version ? null : v.version)} data-testid={`view-version-${v.version}`}>
                {viewing === v.version ? "Back to the draft" : "View"}
              </button>
              {canEdit && (
                <button type="button" className="text-xs text-brand-700 hover:underline" data-testid={`restore-version-${v.version}`}
                  onClick={() => confirm(`Replace the draft with version ${v.version}? You can undo this only by restoring another version.`) && restore.mutate(v.version)}>
                  Restore into draft
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

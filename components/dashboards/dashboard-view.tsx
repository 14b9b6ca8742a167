"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiError } from "../lib/api";
import { Button, Dialog, ErrorNote, Field, Input, Select } from "../lib/ui";
import { WidgetEditor } from "./widget-editor";
import { WidgetTile } from "./widget-tile";
import type { CatalogProcess, Dashboard, DashboardData, Folder, StoredWidget, Widget } from "./types";

/** Polled this often: counters and the current bucket of every chart move within it. */
export const LIVE_REFRESH_MS = 1000;

export function useDashboardData(id: number) {
  return useQuery({
    queryKey: ["dashboard-data", id],
    queryFn: () => api<DashboardData>(`/api/dashboards/${id}/data`),
    refetchInterval: LIVE_REFRESH_MS,
    refetchIntervalInBackground: true, // a wall display is rarely focused
    staleTime: 0,
  });
}

export function LiveStatus({ at, error, dark = false }: { at: number | undefined; error: unknown; dark?: boolean }) {
  if (error) return <span className="text-xs text-red-600" role="status">Not updating: {error instanceof Error ? error.message : String(error)}</span>;
  return (
    <span className={`flex items-center gap-1.5 text-xs ${dark ? "text-slate-400" : "text-slate-500"}`} role="status" data-testid="live-status">
      <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-emerald-500" aria-hidden />
      live{at ? ` · ${new Date(at).toLocaleTimeString()}` : ""}
    </span>
  );
}

/**
 * A dashboard: its widgets on a 4-column grid, refreshed every second. An
 * editor switches to edit mode to add, change, move, resize and remove
 * widgets; every change is saved at once, guarded by the dashboard's
 * revision (someone else's change in between is reported, not overwritten).
 */
export function DashboardView({ initial, folders, canEdit }: { initial: Dashboard; folders: Folder[]; canEdit: boolean }) {
  const qc = useQueryClient();
  const router = useRouter();
  const id = initial.id;
  const dash = useQuery({ queryKey: ["dashboard", id], queryFn: () => api<{ dashboard: Dashboard }>(`/api/dashboards/${id}`).then((r) => r.dashboard), initialData: initial });
  const data = useDashboardData(id);
  const [editing, setEditing] = useState(initial.widgets.length === 0 && canEdit);
  const [editor, setEditor] = useState<{ widget: Widget | null } | null>(null);
  const [settings, setSettings] = useState(false);
  const catalog = useQuery({ queryKey: ["dashboard-catalog"], queryFn: () => api<{ processes: CatalogProcess[] }>("/api/dashboards/catalog").then((r) => r.processes), enabled: editing });
  const d = dash.data;

  const save = useMutation({
    mutationFn: (patch: Partial<Pick<Dashboard, "title" | "description" | "folderId">> & { widgets?: StoredWidget[] }) =>
      api<{ dashboard: Dashboard }>(`/api/dashboards/${id}`, { method: "PATCH", body: { revision: d.revision, ...patch } }).then((r) => r.dashboard),
    onSuccess: (next) => {
      qc.setQueryData(["dashboard", id], next);
      void qc.invalidateQueries({ queryKey: ["dashboard-data", id] });
      setEditor(null);
      setSettings(false);
    },
  });
  const remove = useMutation({ mutationFn: () => api(`/api/dashboards/${id}`, { method: "DELETE" }), onSuccess: () => router.push("/dashboards") });
  const conflict = save.error instanceof ApiError && save.error.status === 409;

  const widgets = d.widgets;
  const saveWidgets = (next: StoredWidget[]) => save.mutate({ widgets: next });
  const move = (i: number, by: number) => {
    const next = widgets.slice();
    const [w] = next.splice(i, 1);
    next.splice(Math.max(0, Math.min(next.length, i + by)), 0, w);
    saveWidgets(next);
  };
  const folder = folders.find((f) => f.id === d.folderId);

  return (
    <main className="min-h-0 flex-1 overflow-y-auto p-6" data-testid="dashboard-view">
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <div className="min-w-0 flex-1">
          <div className="text-xs text-slate-500"><Link href="/dashboards" className="hover:underline">Dashboards</Link>{folder ? ` / ${folder.name}` : ""}</div>
          <h1 className="truncate text-2xl font-semibold" data-testid="dashboard-title">{d.title}</h1>
          {d.description && <p className="text-sm text-slate-600">{d.description}</p>}
        </div>
        <LiveStatus at={data.data?.at} error={data.error} />
        <Link href={`/wall/dashboards/${id}`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50" data-testid="wall-mode">Wall mode</Link>
        {canEdit && (editing ? (
          <>
            <Button variant="secondary" onClick={() => setSettings(true)} data-testid="dashboard-settings">Settings</Button>
            <Button onClick={() => setEditor({ widget: null })} disabled={!catalog.data} data-testid="add-widget">Add widget</Button>
            <Button variant="secondary" onClick={() => setEditing(false)} data-testid="done-editing">Done</Button>
          </>
        ) : <Button variant="secondary" onClick={() => setEditing(true)} data-testid="edit-dashboard">Edit</Button>)}
      </div>
      {conflict ? (
        <p role="alert" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {(save.error as Error).message} <button type="button" className="underline" onClick={() => { save.reset(); void dash.refetch(); }}>Reload</button>
        </p>
      ) : !editor && !settings && <div className="mb-3"><ErrorNote error={save.error ?? remove.error} /></div>}

      {widgets.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600" data-testid="no-widgets">
          This dashboard has no widgets yet.{canEdit ? " Add one: a count, a chart over time, a funnel, sums or recent alerts." : ""}
        </div>
      ) : (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-4" data-testid="widget-grid">
          {widgets.map((w, i) => {
            const data_ = data.data?.widgets[w.id];
            const pid = "processId" in w ? w.processId : null;
            return (
              <WidgetTile key={w.id} widget={w} data={data_} processTitle={pid ? data.data?.processes[pid]?.title : undefined}
                toolbar={editing && (
                  <span className="flex shrink-0 gap-0.5 text-xs">
                    <IconButton label="move left" onClick={() => move(i, -1)} disabled={i === 0}>◀</IconButton>
                    <IconButton label="move right" onClick={() => move(i, 1)} disabled={i === widgets.length - 1}>▶</IconButton>
                    {w.type !== "invalid" && <IconButton label="edit" onClick={() => setEditor({ widget: w })} testId={`edit-widget-${w.id}`}>✎</IconButton>}
                    <IconButton label="remove" onClick={() => confirm("Remove this widget?") && saveWidgets(widgets.filter((x) => x.id !== w.id))} testId={`remove-widget-${w.id}`}>✕</IconButton>
                  </span>
                )} />
            );
          })}
        </div>
      )}

      {editor && catalog.data && (
        <WidgetEditor open widget={editor.widget} processes={catalog.data} saving={save.isPending} error={save.error ?? catalog.error} onClose={() => { setEditor(null); save.reset(); }}
          onSave={(w) => saveWidgets(editor.widget ? widgets.map((x) => (x.id === w.id ? w : x)) : [...widgets, w])} />
      )}
      {settings && (
        <SettingsDialog dashboard={d} folders={folders} saving={save.isPending} error={save.error} onClose={() => { setSettings(false); save.reset(); }}
          onSave={(patch) => save.mutate(patch)} onDelete={() => confirm(`Delete the dashboard “${d.title}”? Its widgets go with it; processes and tasks stay.`) && remove.mutate()} />
      )}
    </main>
  );
}

function IconButton({ label, onClick, disabled, children, testId }: { label: string; onClick(): void; disabled?: boolean; children: string; testId?: string }) {
  return (
    <button type="button" aria-label={label} title={label} onClick={onClick} disabled={disabled} data-testid={testId}
      className="rounded px-1.5 py-0.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900 disabled:opacity-30">{children}</button>
  );
}

function SettingsDialog({ dashboard, folders, onSave, onDelete, onClose, saving, error }: {
  dashboard: Dashboard;
  folders: Folder[];
  onSave(patch: { title: string; description: string; folderId: number | null }): void;
  onDelete(): void;
  onClose(): void;
  saving: boolean;
  error: unknown;
}) {
  const [title, setTitle] = useState(dashboard.title);
  const [description, setDescription] = useState(dashboard.description);
  const [folderId, setFolderId] = useState(dashboard.folderId ? String(dashboard.folderId) : "");
  return (
    <Dialog open title="Dashboard settings" onClose={onClose} testId="dashboard-settings-dialog">
      <form className="space-y-3" onSubmit={(e) => { e.preventDefault(); onSave({ title, description, folderId: folderId ? Number(folderId) : null }); }}>
        <Field label="Title"><Input required value={title} onChange={(e) => setTitle(e.target.value)} /></Field>
        <Field label="Description"><Input value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
        <Field label="Folder">
          <Select value={folderId} onChange={(e) => setFolderId(e.target.value)}>
            <option value="">(not in a folder)</option>
            {folders.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </Select>
        </Field>
        <ErrorNote error={error} />
        <div className="flex justify-between gap-2">
          <Button variant="danger" onClick={onDelete}>Delete dashboard</Button>
          <span className="flex gap-2"><Button variant="secondary" onClick={onClose}>Cancel</Button><Button type="submit" disabled={saving}>Save</Button></span>
        </div>
      </form>
    </Dialog>
  );
}

"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { api } from "../lib/api";
import { Button, Dialog, ErrorNote, Field, Input, Select } from "../lib/ui";
import type { Dashboard, DashboardListItem, Folder } from "./types";

interface Tree {
  folders: Folder[];
  dashboards: DashboardListItem[];
}

function pathOf(folders: Folder[], id: number | null): string {
  const parts: string[] = [];
  for (let f = folders.find((x) => x.id === id), guard = 0; f && guard < 50; f = folders.find((x) => x.id === f!.parentId), guard++) parts.unshift(f.name);
  return parts.join(" / ");
}

/**
 * Dashboards in the same folders as processes: a folder tree on the left, the
 * dashboards of the chosen folder (and below) on the right; editors create new ones.
 */
export function DashboardList({ initial, canEdit }: { initial: Tree; canEdit: boolean }) {
  const router = useRouter();
  const tree = useQuery({ queryKey: ["dashboards"], queryFn: () => api<Tree>("/api/dashboards"), initialData: initial });
  const { folders, dashboards } = tree.data;
  const [scope, setScope] = useState<"all" | number>("all");
  const [creating, setCreating] = useState(false);
  const [title, setTitle] = useState("");
  const [folderId, setFolderId] = useState("");
  const create = useMutation({
    mutationFn: () => api<{ dashboard: Dashboard }>("/api/dashboards", { body: { title, folderId: folderId ? Number(folderId) : null } }),
    onSuccess: (r) => router.push(`/dashboards/${r.dashboard.id}`),
  });

  const shown = useMemo(() => dashboards.filter((d) => {
    if (scope === "all") return true;
    for (let f = folders.find((x) => x.id === d.folderId), guard = 0; f && guard < 50; f = folders.find((x) => x.id === f!.parentId), guard++) if (f.id === scope) return true;
    return false;
  }), [dashboards, folders, scope]);

  const renderFolders = (parentId: number | null, depth: number): ReactNode =>
    folders.filter((f) => f.parentId === parentId).map((f) => (
      <li key={f.id}>
        <button type="button" style={{ paddingLeft: 8 + depth * 12 }} onClick={() => setScope(f.id)} data-testid={`dash-folder-${f.id}`}
          className={`w-full truncate rounded py-1 pr-2 text-left text-sm ${scope === f.id ? "bg-brand-50 text-brand-700" : "hover:bg-slate-100"}`}>
          {f.name} <span className="text-xs text-slate-400">{dashboards.filter((d) => d.folderId === f.id).length || ""}</span>
        </button>
        <ul>{renderFolders(f.id, depth + 1)}</ul>
      </li>
    ));

  return (
    <div className="flex min-h-0 flex-1" data-testid="dashboard-list">
      <aside className="w-64 shrink-0 overflow-y-auto border-r border-slate-200 bg-white p-3" aria-label="Folders">
        <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Folders</h2>
        <ul className="space-y-0.5">
          <li><button type="button" onClick={() => setScope("all")} className={`w-full rounded px-2 py-1 text-left text-sm ${scope === "all" ? "bg-brand-50 text-brand-700" : "hover:bg-slate-100"}`}>All dashboards</button></li>
          {renderFolders(null, 0)}
        </ul>
        <p className="mt-4 px-2 text-xs text-slate-500">Folders are shared with <Link href="/processes" className="underline">processes</Link>.</p>
      </aside>
      <main className="min-w-0 flex-1 overflow-y-auto p-6">
        <div className="mb-4 flex items-center gap-3">
          <h1 className="text-2xl font-semibold">{scope === "all" ? "Dashboards" : pathOf(folders, scope)}</h1>
          <Link href="/overview" className="text-sm text-brand-700 hover:underline">Built-in overview →</Link>
          {canEdit && <Button className="ml-auto" onClick={() => { setTitle(""); setFolderId(typeof scope === "number" ? String(scope) : ""); setCreating(true); }} data-testid="new-dashboard">New dashboard</Button>}
        </div>
        <ErrorNote error={tree.error} />
        {shown.length === 0 ? (
          <p className="text-slate-600" data-testid="no-dashboards">No dashboards here yet.{canEdit ? " Create one and add widgets bound to the nodes of your processes." : ""}</p>
        ) : (
          <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
            {shown.map((d) => (
              <li key={d.id}>
                <Link href={`/dashboards/${d.id}`} className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-brand-500" data-testid={`dashboard-card-${d.id}`}>
                  <div className="font-medium">{d.title}</div>
                  <div className="text-sm text-slate-500">{d.folderId ? `${pathOf(folders, d.folderId)} · ` : ""}{d.widgets} widget{d.widgets === 1 ? "" : "s"}</div>
                  {d.description && <div className="mt-1 truncate text-sm text-slate-600">{d.description}</div>}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </main>
      <Dialog open={creating} title="New dashboard" onClose={() => setCreating(false)} testId="new-dashboard-dialog">
        <form className="space-y-3" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Field label="Title"><Input autoFocus required value={title} onChange={(e) => setTitle(e.target.value)} data-testid="new-dashboard-title" /></Field>
          <Field label="Folder">
            <Select value={folderId} onChange={(e) => setFolderId(e.target.value)} data-testid="new-dashboard-folder">
              <option value="">(not in a folder)</option>
              {folders.map((f) => <option key={f.id} value={f.id}>{pathOf(folders, f.id)}</option>)}
            </Select>
          </Field>
          <ErrorNote error={create.error} />
          <div className="flex justify-end gap-2"><Button variant="secondary" onClick={() => setCreating(false)}>Cancel</Button><Button type="submit" disabled={create.isPending} data-testid="new-dashboard-create">Create</Button></div>
        </form>
      </Dialog>
    </div>
  );
}

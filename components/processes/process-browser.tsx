"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState, type ReactNode } from "react";
import { api } from "../lib/api";
import { Button, Dialog as BaseDialog, ErrorNote } from "../lib/ui";

export interface FolderItem {
  id: number;
  name: string;
  parentId: number | null;
}

export interface ProcessItem {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  folder: string | null;
  convType: string;
  status: string;
  publishedVersion: number | null;
  updatedAt: string;
}

interface Tree {
  folders: FolderItem[];
  processes: ProcessItem[];
}

interface ImportSummary {
  format: string;
  folders: Array<{ id: number; name: string }>;
  processes: Array<{ id: number; title: string; published: boolean; problems?: string[] }>;
  skipped: number;
}

/** "all", "none" (processes outside folders) or a folder id. */
type Scope = "all" | "none" | number;

/** The shared dialog, at this page's width. */
function Dialog(props: { open: boolean; title: string; onClose(): void; children: ReactNode; testId: string }) {
  return <BaseDialog width="w-[28rem]" {...props} />;
}

/** A dialog asking for one line of text (a title, a name). */
function PromptDialog({ open, title, label, value, onChange, onClose, onSubmit, note, error, submitLabel, testId }: {
  open: boolean; title: string; label: string; value: string; onChange(v: string): void; onClose(): void; onSubmit(): void;
  note?: string; error: unknown; submitLabel: string; testId: string;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose} testId={`${testId}-dialog`}>
      <form className="space-y-3" onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
        <label className="block text-sm">{label}<input autoFocus required className="mt-1 w-full rounded border border-slate-300 px-2 py-1" value={value} onChange={(e) => onChange(e.target.value)} data-testid={`${testId}-input`} /></label>
        {note && <p className="text-xs text-slate-500">{note}</p>}
        <ErrorNote error={error} />
        <div className="flex justify-end gap-2"><Button variant="secondary" onClick={onClose}>Cancel</Button><Button type="submit" data-testid={`${testId}-submit`}>{submitLabel}</Button></div>
      </form>
    </Dialog>
  );
}

/** Closes the `<details>` menu a choice was made in. */
function closeMenu(e: { currentTarget: Element }): void {
  const menu = e.currentTarget.closest("details");
  if (menu) menu.open = false;
}

const FolderIcon = () => (
  <svg aria-hidden viewBox="0 0 16 16" className="mr-1 inline h-3.5 w-3.5 fill-current text-slate-400"><path d="M1.5 3A1.5 1.5 0 0 1 3 1.5h3.1l1.5 2H13A1.5 1.5 0 0 1 14.5 5v7.5A1.5 1.5 0 0 1 13 14H3a1.5 1.5 0 0 1-1.5-1.5z" /></svg>
);

function folderPath(folders: FolderItem[], id: number | null): string {
  const parts: string[] = [];
  let f = folders.find((x) => x.id === id);
  for (let guard = 0; f && guard < 50; guard++) {
    parts.unshift(f.name);
    f = folders.find((x) => x.id === f!.parentId);
  }
  return parts.join(" / ");
}

/**
 * Processes in folders: a folder tree, a searchable list, and the actions an
 * editor needs — create, rename, move, duplicate, export, delete (confirmed),
 * import a Corezoid or Conveyor export, folders created and deleted.
 */
export function ProcessBrowser({ initial, canEdit }: { initial: Tree; canEdit: boolean }) {
  const qc = useQueryClient();
  const router = useRouter();
  const tree = useQuery({ queryKey: ["process-tree"], queryFn: () => api<Tree>("/api/processes"), initialData: initial });
  const { folders, processes } = tree.data;
  const [scope, setScope] = useState<Scope>("all");
  const [q, setQ] = useState("");
  const [dialog, setDialog] = useState<
    | { kind: "new-process" } | { kind: "new-folder" } | { kind: "rename"; p: ProcessItem } | { kind: "move"; p: ProcessItem }
    | { kind: "delete"; p: ProcessItem } | { kind: "delete-folder"; f: FolderItem } | { kind: "import-result"; summary: ImportSummary } | null
  >(null);
  const [text, setText] = useState("");
  const [target, setTarget] = useState<string>("");
  const fileRef = useRef<HTMLInputElement>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["process-tree"] });
  const close = () => setDialog(null);

  const mutate = useMutation({
    mutationFn: async (fn: () => Promise<unknown>) => fn(),
    onSuccess: () => {
      refresh();
      close();
    },
  });
  const run = (fn: () => Promise<unknown>) => mutate.mutate(fn);

  const importFile = useMutation({
    mutationFn: async (file: File) => {
      let json: unknown;
      try {
        json = JSON.parse(await file.text());
      } catch (e) {
        throw new Error(`${file.name} is not a JSON file: ${(e as Error).message}`, { cause: e });
      }
      return api<ImportSummary>("/api/import", { body: { file: json, folderId: typeof scope === "number" ? scope : null } });
    },
    onSuccess: (summary) => {
      refresh();
      setDialog({ kind: "import-result", summary });
    },
  });

  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    // Searching looks everywhere; otherwise the chosen folder (and the folders below it).
    const inScope = (p: ProcessItem) => {
      if (needle || scope === "all") return true;
      if (scope === "none") return p.folderId === null;
      for (let f = folders.find((x) => x.id === p.folderId), guard = 0; f && guard < 50; f = folders.find((x) => x.id === f!.parentId), guard++) if (f.id === scope) return true;
      return false;
    };
    return processes.filter((p) => inScope(p) && (!needle || p.title.toLowerCase().includes(needle) || p.description.toLowerCase().includes(needle) || String(p.id) === needle));
  }, [processes, folders, scope, q]);

  const renderFolders = (parentId: number | null, depth: number): ReactNode =>
    folders.filter((f) => f.parentId === parentId).map((f) => (
      <li key={f.id}>
        <div className={`group flex items-center rounded ${scope === f.id ? "bg-brand-50 text-brand-700" : "hover:bg-slate-100"}`} style={{ paddingLeft: depth * 12 }}>
          <button type="button" className="flex-1 truncate px-2 py-1 text-left text-sm" onClick={() => setScope(f.id)} data-testid={`folder-${f.id}`}><FolderIcon />{f.name}</button>
          {scope === f.id && (
            <details className="relative pr-1">
              <summary className="cursor-pointer list-none rounded px-1 text-slate-500 hover:bg-slate-200" aria-label={`actions for folder ${f.name}`} data-testid={`folder-actions-${f.id}`}>⋯</summary>
              <div className="absolute right-0 z-10 mt-1 w-52 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
                <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/folders/${f.id}/export?format=conveyor`} download onClick={closeMenu} data-testid={`export-folder-${f.id}`}>Export (Conveyor)</a>
                <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/folders/${f.id}/export?format=corezoid`} download onClick={closeMenu} data-testid={`export-folder-corezoid-${f.id}`}>Export (Corezoid)</a>
                {canEdit && <button type="button" className="block w-full rounded px-2 py-1 text-left text-red-700 hover:bg-red-50" onClick={(e) => { closeMenu(e); setDialog({ kind: "delete-folder", f }); }} data-testid={`delete-folder-${f.id}`}>Delete…</button>}
              </div>
            </details>
          )}
        </div>
        <ul>{renderFolders(f.id, depth + 1)}</ul>
      </li>
    ));

  return (
    <div className="flex min-h-0 flex-1" data-testid="process-browser">
      <aside className="w-64 shrink-0 overflow-y-auto border-r border-slate-200 bg-white p-3" aria-label="Folders">
        <div className="mb-2 flex items-center justify-between">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Folders</h2>
          {canEdit && <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => { setText(""); setDialog({ kind: "new-folder" }); }} data-testid="new-folder">+ folder</button>}
        </div>
        <ul className="space-y-0.5">
          <li><button type="button" className={`w-full rounded px-2 py-1 text-left text-sm ${scope === "all" ? "bg-brand-50 text-brand-700" : "hover:bg-slate-100"}`} onClick={() => setScope("all")}>All processes</button></li>
          <li><button type="button" className={`w-full rounded px-2 py-1 text-left text-sm ${scope === "none" ? "bg-brand-50 text-brand-700" : "hover:bg-slate-100"}`} onClick={() => setScope("none")}>Not in a folder</button></li>
          {renderFolders(null, 0)}
        </ul>
      </aside>
      <main className="min-w-0 flex-1 overflow-y-auto p-6">
        <div className="mb-4 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{typeof scope === "number" ? folderPath(folders, scope) : scope === "none" ? "Not in a folder" : "Processes"}</h1>
          <input type="search" placeholder="Search processes" aria-label="Search processes" value={q} onChange={(e) => setQ(e.target.value)} className="ml-auto w-64 rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="process-search" />
          {canEdit && (
            <>
              <Button variant="secondary" onClick={() => fileRef.current?.click()} disabled={importFile.isPending} data-testid="import">{importFile.isPending ? "Importing…" : "Import"}</Button>
              <input ref={fileRef} type="file" accept="application/json,.json" className="hidden" data-testid="import-file"
                onChange={(e) => { const f = e.target.files?.[0]; if (f) importFile.mutate(f); e.target.value = ""; }} />
              <Button onClick={() => { setText(""); setDialog({ kind: "new-process" }); }} data-testid="new-process">New process</Button>
            </>
          )}
        </div>
        <ErrorNote error={tree.error ?? importFile.error} />
        {shown.length === 0 ? (
          <p className="text-slate-600" data-testid="no-processes">{q ? `No process matches “${q}”.` : "No processes here yet."}</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" data-testid="process-list">
            {shown.map((p) => (
              <li key={p.id} className="flex items-center gap-4 px-4 py-3" data-testid={`process-row-${p.id}`}>
                <span className="w-12 text-sm text-slate-400">#{p.id}</span>
                <Link href={`/processes/${p.id}`} className="min-w-0 flex-1 hover:text-brand-700">
                  <span className="block truncate font-medium">{p.title}</span>
                  <span className="block truncate text-sm text-slate-500">{p.folderId ? `${folderPath(folders, p.folderId)} · ` : ""}{p.description}</span>
                </Link>
                <span className="text-sm text-slate-500">{p.publishedVersion ? `v${p.publishedVersion}` : "draft"}</span>
                <span className={`rounded px-2 py-0.5 text-xs ${p.status === "active" ? "bg-emerald-50 text-emerald-700" : "bg-amber-50 text-amber-700"}`}>{p.status}</span>
                <details className="relative">
                  <summary className="cursor-pointer list-none rounded px-2 py-1 text-slate-500 hover:bg-slate-100" aria-label={`actions for ${p.title}`} data-testid={`process-actions-${p.id}`}>⋯</summary>
                  <div className="absolute right-0 z-10 mt-1 w-48 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
                    {canEdit && <button type="button" className="block w-full rounded px-2 py-1 text-left hover:bg-slate-50" onClick={(e) => { closeMenu(e); setText(p.title); setDialog({ kind: "rename", p }); }} data-testid={`rename-${p.id}`}>Rename</button>}
                    {canEdit && <button type="button" className="block w-full rounded px-2 py-1 text-left hover:bg-slate-50" onClick={(e) => { closeMenu(e); setTarget(p.folderId ? String(p.folderId) : ""); setDialog({ kind: "move", p }); }} data-testid={`move-${p.id}`}>Move to folder</button>}
                    {canEdit && <button type="button" className="block w-full rounded px-2 py-1 text-left hover:bg-slate-50" onClick={(e) => { closeMenu(e); run(() => api(`/api/processes/${p.id}/duplicate`, { body: {} })); }} data-testid={`duplicate-${p.id}`}>Duplicate</button>}
                    <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/processes/${p.id}/export?format=conveyor`} download onClick={closeMenu}>Export (Conveyor)</a>
                    <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/processes/${p.id}/export?format=corezoid`} download onClick={closeMenu}>Export (Corezoid)</a>
                    {canEdit && <button type="button" className="block w-full rounded px-2 py-1 text-left text-red-700 hover:bg-red-50" onClick={(e) => { closeMenu(e); setDialog({ kind: "delete", p }); }} data-testid={`delete-${p.id}`}>Delete…</button>}
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </main>

      <PromptDialog open={dialog?.kind === "new-process"} title="New process" label="Title" value={text} onChange={setText} onClose={close} error={mutate.error} submitLabel="Create" testId="new-process"
        note={typeof scope === "number" ? `In ${folderPath(folders, scope)}` : undefined}
        onSubmit={() => run(async () => {
          const { id } = await api<{ id: number }>("/api/processes", { body: { title: text, folderId: typeof scope === "number" ? scope : null } });
          router.push(`/processes/${id}`);
        })} />
      <PromptDialog open={dialog?.kind === "new-folder"} title="New folder" label="Name" value={text} onChange={setText} onClose={close} error={mutate.error} submitLabel="Create" testId="new-folder"
        note={typeof scope === "number" ? `Inside ${folderPath(folders, scope)}` : undefined}
        onSubmit={() => run(() => api("/api/folders", { body: { name: text, parentId: typeof scope === "number" ? scope : null } }))} />
      <PromptDialog open={dialog?.kind === "rename"} title={dialog?.kind === "rename" ? `Rename “${dialog.p.title}”` : "Rename"} label="Title" value={text} onChange={setText} onClose={close} error={mutate.error} submitLabel="Rename" testId="rename"
        onSubmit={() => dialog?.kind === "rename" && run(() => api(`/api/processes/${dialog.p.id}`, { method: "PATCH", body: { title: text } }))} />

      {dialog?.kind === "move" && (
        <Dialog open title={`Move “${dialog.p.title}”`} onClose={close} testId="move-dialog">
          <form className="space-y-3" onSubmit={(e) => { e.preventDefault(); run(() => api(`/api/processes/${dialog.p.id}`, { method: "PATCH", body: { folderId: target ? Number(target) : null } })); }}>
            <label className="block text-sm">Folder
              <select className="mt-1 w-full rounded border border-slate-300 bg-white px-2 py-1" value={target} onChange={(e) => setTarget(e.target.value)} data-testid="move-folder">
                <option value="">(not in a folder)</option>
                {folders.map((f) => <option key={f.id} value={f.id}>{folderPath(folders, f.id)}</option>)}
              </select>
            </label>
            <ErrorNote error={mutate.error} />
            <div className="flex justify-end gap-2"><Button variant="secondary" onClick={close}>Cancel</Button><Button type="submit" data-testid="move-save">Move</Button></div>
          </form>
        </Dialog>
      )}

      {dialog?.kind === "delete" && (
        <Dialog open title={`Delete “${dialog.p.title}”?`} onClose={close} testId="delete-dialog">
          <p className="text-sm text-slate-700">The process, all its versions and all its tasks (live and finished) with their history are deleted. This cannot be undone; export it first to keep a copy.</p>
          <ErrorNote error={mutate.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button variant="danger" onClick={() => run(() => api(`/api/processes/${dialog.p.id}`, { method: "DELETE" }))} data-testid="delete-confirm">Delete the process</Button>
          </div>
        </Dialog>
      )}

      {dialog?.kind === "delete-folder" && (
        <Dialog open title={`Delete folder “${dialog.f.name}”?`} onClose={close} testId="delete-folder-dialog">
          <p className="text-sm text-slate-700">Only an empty folder can be deleted: move or delete its processes and folders first.</p>
          <ErrorNote error={mutate.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button variant="danger" onClick={() => run(async () => { await api(`/api/folders/${dialog.f.id}`, { method: "DELETE" }); setScope("all"); })} data-testid="delete-folder-confirm">Delete the folder</Button>
          </div>
        </Dialog>
      )}

      {dialog?.kind === "import-result" && (
        <Dialog open title="Imported" onClose={close} testId="import-result">
          <p className="text-sm">{dialog.summary.processes.length} process(es) and {dialog.summary.folders.length} folder(s) from a {dialog.summary.format === "conveyor" ? "Conveyor" : "Corezoid"} export{dialog.summary.skipped ? `; ${dialog.summary.skipped} other object(s) skipped` : ""}.</p>
          <ul className="max-h-64 space-y-1 overflow-y-auto text-sm">
            {dialog.summary.processes.map((p) => (
              <li key={p.id}>
                <Link href={`/processes/${p.id}`} className="font-medium text-brand-700 hover:underline">{p.title}</Link>{" "}
                {p.published ? <span className="text-emerald-700">published</span> : <span className="text-amber-700">draft: {p.problems?.join("; ")}</span>}
              </li>
            ))}
          </ul>
          <div className="text-right"><Button onClick={close}>Close</Button></div>
        </Dialog>
      )}
    </div>
  );
}

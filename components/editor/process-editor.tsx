"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { NODE_TYPES, processParamSchema, safeParseScheme, validateProcess, type ProcessParam, type ProcessScheme, type SchemeNode, type ValidationIssue } from "@/engine/index";
import { api, ApiError } from "../lib/api";
import { Button } from "../lib/ui";
import { SaveIndicator, Tabs, ToolButton } from "./editor-toolbar";
import { FlowCanvas, type CanvasEdits } from "./flow-canvas";
import { displayIssues, issuesByNode, type Highlight } from "./flow-graph";
import { Inspector } from "./inspector/inspector";
import { InspectorContext, type ProcessOption } from "./inspector/inspector-context";
import { NewTaskButton } from "./live/new-task-dialog";
import { TaskDetail } from "./live/task-detail";
import { TasksPanel } from "./live/tasks-panel";
import { CLIPBOARD_KEY, parseClipboard, serializeNodes } from "./model/clipboard";
import { EditorStore, type EditorDoc } from "./model/editor-store";
import { knownParams } from "./model/known-params";
import { layoutPositions } from "./model/layout";
import { addNode, connect, disconnect, makeNode, moveNodes, pasteNodes, removeNodes, updateNode, type NewNodeKind } from "./model/scheme-edit";
import { Palette } from "./palette";
import { DryRunPanel } from "./panels/dry-run-panel";
import { ProblemsPanel } from "./panels/problems-panel";
import { ProcessPanel, type ProcessInfo } from "./panels/process-panel";
import { VersionsPanel } from "./panels/versions-panel";
import { ShortcutsDialog } from "./shortcuts-dialog";
import type { FlowEdge, FlowNode } from "./types";
import { useAutosave } from "./use-autosave";
import { useNodeCounts } from "./use-node-counts";
import { useShortcuts } from "./use-shortcuts";
import { KeyedStore } from "./value-store";

/** The process as the server hands it to the editor (a plain DTO). */
export interface EditorProcessDto {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  folder: string | null;
  convType: "process" | "state";
  status: string;
  directUrlHash: string;
  params: unknown[];
  draft: { nodes: unknown[] };
  draftRevision: number;
  published: { version: number; scheme: { nodes: unknown[] }; createdAt: string } | null;
}

export type EditorMode = "edit" | "live";
type SideTab = "inspect" | "problems" | "versions" | "dryrun";

const EMPTY_SCHEME: ProcessScheme = { nodes: [] };
const noSubscribe = () => () => {};

function readScheme(raw: unknown): { scheme: ProcessScheme; problem: string | null } {
  const parsed = safeParseScheme(raw ?? { nodes: [] });
  if (parsed.ok) return { scheme: parsed.scheme, problem: null };
  return { scheme: { nodes: [] }, problem: parsed.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
}

function readParams(raw: unknown): ProcessParam[] {
  return (Array.isArray(raw) ? raw : []).flatMap((p) => {
    const r = processParamSchema.safeParse(p);
    return r.success ? [r.data] : [];
  });
}

export function ProcessEditor(props: { process: EditorProcessDto; canEdit: boolean; canWriteTasks: boolean; initialMode?: EditorMode }) {
  return (
    <ReactFlowProvider>
      <EditorShell {...props} />
    </ReactFlowProvider>
  );
}

/**
 * The editor: palette, canvas and side panels over one document store.
 * Edit mode edits the draft (saved automatically); live mode shows the
 * published version with its live counts and the tasks in each node.
 */
function EditorShell({ process, canEdit, canWriteTasks, initialMode }: { process: EditorProcessDto; canEdit: boolean; canWriteTasks: boolean; initialMode?: EditorMode }) {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const qc = useQueryClient();
  const initial = useMemo(() => readScheme(process.draft), [process.draft]);
  const [store] = useState(() => new EditorStore({ scheme: initial.scheme, params: readParams(process.params) }));
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  const doc = state.history.present;
  const autosave = useAutosave({ store, processId: process.id, initialRevision: process.draftRevision, enabled: canEdit });

  const [info, setInfo] = useState<ProcessInfo>({ id: process.id, title: process.title, description: process.description, status: process.status, directUrlHash: process.directUrlHash });
  // The published scheme is parsed only when the live view first needs it (not on the editor's first paint).
  const [published, setPublished] = useState<{ version: number; raw?: unknown; scheme?: ProcessScheme } | null>(() => (process.published ? { version: process.published.version, raw: process.published.scheme } : null));

  const [mode, setMode] = useState<EditorMode>(initialMode ?? (canEdit ? "edit" : "live"));
  const [viewing, setViewing] = useState<{ version: number; scheme: ProcessScheme } | null>(null);
  const [tab, setTab] = useState<SideTab>("inspect");
  const [selected, setSelected] = useState<string[]>([]);
  const [select, setSelect] = useState<{ ids: string[]; seq: number } | undefined>();
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [publishIssues, setPublishIssues] = useState<{ version: number; issues: ValidationIssue[] } | null>(null);
  const [liveNode, setLiveNode] = useState<string | null>(null);
  const [openTask, setOpenTask] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [publishing, setPublishing] = useState(false);
  const helpRef = useRef<HTMLDialogElement>(null);
  const mounted = useSyncExternalStore(noSubscribe, () => true, () => false);
  const canvasBox = useRef<HTMLDivElement>(null);
  const seq = useRef(0);
  const selectIds = useCallback((ids: string[]) => setSelect({ ids, seq: ++seq.current }), []);

  // Live counters, polled every second, fed to the nodes through a keyed store.
  const [counts] = useState(() => new KeyedStore<number>());
  const countsQuery = useNodeCounts(process.id);
  useEffect(() => counts.set(countsQuery.data ?? {}), [counts, countsQuery.data]);

  const processes = useQuery({
    queryKey: ["process-options"],
    queryFn: () => api<{ processes: ProcessOption[] }>("/api/processes").then((r) => r.processes.map((p) => ({ id: p.id, title: p.title }))),
    staleTime: 60_000,
    enabled: canEdit,
  });

  // Problems: the engine's validation of the draft as it is now; the server's
  // (which also knows the other processes) for the version it last saw.
  // Deferred (starting from an empty scheme): validating 300 nodes never delays a paint, the first one included.
  const deferredScheme = useDeferredValue(doc.scheme, EMPTY_SCHEME);
  const clientIssues = useMemo(() => (deferredScheme === EMPTY_SCHEME ? [] : validateProcess(deferredScheme, { processKind: process.convType })), [deferredScheme, process.convType]);
  const issues = useMemo(
    () => displayIssues((publishIssues?.version === state.version ? publishIssues.issues : null) ?? autosave.serverIssues ?? clientIssues),
    [publishIssues, state.version, autosave.serverIssues, clientIssues],
  );
  const issueMap = useMemo(() => issuesByNode(issues), [issues]);
  const errorCount = issues.filter((i) => i.severity === "error").length;

  const publishedScheme = useMemo(() => (mode === "live" && published ? (published.scheme ?? readScheme(published.raw).scheme) : null), [mode, published]);
  const editable = canEdit && mode === "edit" && !viewing;
  const shownScheme = viewing?.scheme ?? (mode === "live" && publishedScheme ? publishedScheme : doc.scheme);
  const noIssues = useMemo(() => new Map(), []);
  const names = useMemo(() => knownParams(deferredScheme, doc.params), [deferredScheme, doc.params]);
  // The inspector shows the selected node in the edit view, read-only unless editable: a viewer reads a
  // node's settings in the draft as anyone does in a published version.
  const selectedNode = mode === "edit" ? shownScheme.nodes.find((n) => selected.length === 1 && n.id === selected[0]) : undefined;

  const editScheme = useCallback((fn: (s: ProcessScheme) => ProcessScheme, key?: string) => store.editScheme(fn, key), [store]);

  const addAt = useCallback((kind: NewNodeKind, position: { x: number; y: number }) => {
    const node = makeNode(kind, position);
    editScheme((s) => addNode(s, node));
    selectIds([node.id]);
    setTab("inspect");
  }, [editScheme, selectIds]);

  const edits = useMemo<CanvasEdits>(() => ({
    connect: (c) => editScheme((s) => connect(s, c)),
    remove: ({ nodeIds, edgeIds }) => editScheme((s) => {
      const gone = new Set(nodeIds);
      let next = s;
      for (const id of edgeIds) if (!gone.has(id.split(":")[0])) next = disconnect(next, id);
      return removeNodes(next, nodeIds);
    }),
    move: (positions) => editScheme((s) => moveNodes(s, positions)),
    drop: addAt,
  }), [editScheme, addAt]);

  const addInView = useCallback((kind: NewNodeKind) => {
    const box = canvasBox.current?.getBoundingClientRect();
    const center = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 400, y: 300 };
    const p = flow.screenToFlowPosition(center);
    // Nudge each new node so several clicks do not stack them exactly.
    const n = store.doc.scheme.nodes.length % 5;
    addAt(kind, { x: p.x - 110 + n * 24, y: p.y - 30 + n * 24 });
  }, [flow, store, addAt]);

  const focusNode = useCallback((id: string) => {
    setMode("edit");
    setViewing(null);
    selectIds([id]);
    setTab("inspect");
    void flow.fitView({ nodes: [{ id }], maxZoom: 1, duration: 250 });
  }, [flow, selectIds]);

  const copy = useCallback((): string | null => {
    const text = serializeNodes(shownScheme, new Set(selected));
    if (!text) return null;
    try {
      localStorage.setItem(CLIPBOARD_KEY, text);
    } catch {
      // Storage may be full or disabled; the system clipboard may still carry the copy.
    }
    return text;
  }, [shownScheme, selected]);

  const pasteText = useCallback((text: string | null) => {
    if (!editable) return;
    const nodes = parseClipboard(text) ?? (text ? null : parseClipboard(localStorage.getItem(CLIPBOARD_KEY)));
    if (!nodes) return;
    const { scheme, ids } = pasteNodes(store.doc.scheme, nodes, { x: 40, y: 40 });
    editScheme(() => scheme);
    selectIds(ids);
  }, [editable, store, editScheme, selectIds]);

  const layout = useCallback(() => {
    if (!editable) return;
    const sizes = Object.fromEntries(flow.getNodes().map((n) => [n.id, n.measured?.width && n.measured.height ? { width: n.measured.width, height: n.measured.height } : undefined]));
    editScheme((s) => moveNodes(s, layoutPositions(s, sizes)));
    setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 250 }), 50);
  }, [editable, flow, editScheme]);

  const fit = useCallback(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 200 }), [flow]);

  useShortcuts({
    undo: () => store.undo(),
    redo: () => store.redo(),
    copy,
    cut: () => {
      if (copy()) edits.remove({ nodeIds: selected, edgeIds: [] });
    },
    paste: pasteText,
    duplicate: () => pasteText(copy()),
    selectAll: () => selectIds(shownScheme.nodes.map((n) => n.id)),
    save: () => void autosave.saveNow(),
    layout,
    fit,
    help: () => helpRef.current?.showModal(),
    escape: () => {
      selectIds([]);
      setHighlight(null);
    },
  }, { edit: editable });

  const reloadDraft = useCallback(async () => {
    const fresh = await api<EditorProcessDto>(`/api/processes/${process.id}`);
    store.reset({ scheme: readScheme(fresh.draft).scheme, params: readParams(fresh.params) });
    autosave.adopt(fresh.draftRevision);
  }, [process.id, store, autosave]);

  const publish = useCallback(async () => {
    setPublishing(true);
    setNotice(null);
    try {
      await autosave.saveNow();
      const version = store.getState().version;
      if (store.getState().savedVersion !== version) throw new Error("the draft could not be saved; publish again once it is");
      const res = await api<{ version: number }>(`/api/processes/${process.id}/publish`, { method: "POST" });
      setPublished({ version: res.version, scheme: store.doc.scheme });
      setPublishIssues(null);
      setNotice({ tone: "ok", text: `Published version ${res.version}: new tasks run on it.` });
      void qc.invalidateQueries({ queryKey: ["versions", process.id] });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        setPublishIssues({ version: store.getState().version, issues: (err.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? [] });
        setTab("problems");
        setNotice({ tone: "error", text: "Not published: fix the problems listed (they are marked on the nodes)." });
      } else setNotice({ tone: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setPublishing(false);
    }
  }, [autosave, store, process.id, qc]);

  const viewVersion = useCallback(async (version: number | null) => {
    if (version === null) return setViewing(null);
    const v = await api<{ version: number; scheme: unknown }>(`/api/processes/${process.id}/versions/${version}`);
    setMode("edit");
    setViewing({ version: v.version, scheme: readScheme(v.scheme).scheme });
    selectIds([]);
  }, [process.id, selectIds]);

  const restored = useCallback(async (revision: number, version: number) => {
    const v = await api<{ scheme: unknown; params: unknown[] }>(`/api/processes/${process.id}/versions/${version}`);
    store.reset({ scheme: readScheme(v.scheme).scheme, params: readParams(v.params) });
    autosave.adopt(revision);
    setViewing(null);
    setNotice({ tone: "ok", text: `Version ${version} restored into the draft.` });
  }, [process.id, store, autosave]);

  const editNode = useCallback((fn: (n: SchemeNode) => SchemeNode, key: string) => {
    if (selectedNode && editable) editScheme((s) => updateNode(s, selectedNode.id, fn), key);
  }, [editScheme, selectedNode, editable]);

  const switchMode = (m: EditorMode) => {
    setMode(m);
    setViewing(null);
    setHighlight(null);
    setOpenTask(null);
    setLiveNode(null);
  };

  const liveNodeTitle = liveNode ? (shownScheme.nodes.find((n) => n.id === liveNode)?.title ?? "") : "";
  const setPath = useCallback((path: string[] | null, current?: string) => setHighlight(path ? { path, current } : null), []);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="process-editor">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2">
        <Link href="/processes" className="text-sm text-slate-500 hover:text-slate-900">Processes</Link>
        {process.folder && <><span className="text-slate-300">/</span><span className="text-sm text-slate-500">{process.folder}</span></>}
        <span className="text-slate-300">/</span>
        <h1 className="font-semibold" data-testid="process-title">{info.title}</h1>
        <span className="text-xs text-slate-500" data-testid="published-version">#{process.id} · {published ? `live v${published.version}` : "not published"} · {info.status}</span>
        <div className="ml-2"><Tabs<EditorMode> label="View" value={mode} onChange={switchMode} options={[{ value: "edit", label: canEdit ? "Edit" : "Draft", testId: "mode-edit" }, { value: "live", label: "Live", testId: "mode-live" }]} /></div>
        {mode === "edit" && (
          <div className="flex items-center gap-1">
            <ToolButton label="Undo (Ctrl+Z)" onClick={() => store.undo()} disabled={!editable || !store.canUndo} testId="undo">↶</ToolButton>
            <ToolButton label="Redo (Ctrl+Shift+Z)" onClick={() => store.redo()} disabled={!editable || !store.canRedo} testId="redo">↷</ToolButton>
            <ToolButton label="Auto-layout (L)" onClick={layout} disabled={!editable} testId="auto-layout">Layout</ToolButton>
            <ToolButton label="Copy the selected nodes (Ctrl+C)" onClick={() => void copy()} disabled={selected.length === 0} testId="copy">Copy</ToolButton>
            <ToolButton label="Paste nodes (Ctrl+V)" onClick={() => pasteText(null)} disabled={!editable} testId="paste">Paste</ToolButton>
          </div>
        )}
        <ToolButton label="Zoom to fit (F)" onClick={fit} testId="fit-view">Fit</ToolButton>
        <ToolButton label="Keyboard shortcuts (?)" onClick={() => helpRef.current?.showModal()} testId="shortcuts">?</ToolButton>
        <div className="ml-auto flex items-center gap-2">
          {canEdit && <SaveIndicator status={autosave.status} error={autosave.error} />}
          <details className="relative">
            <summary className="cursor-pointer list-none rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-700" data-testid="export-menu">Export</summary>
            <div className="absolute right-0 z-30 mt-1 w-56 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
              <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/processes/${process.id}/export?format=conveyor`} download data-testid="export-conveyor">Conveyor JSON</a>
              <a className="block rounded px-2 py-1 hover:bg-slate-50" href={`/api/processes/${process.id}/export?format=corezoid`} download data-testid="export-corezoid">Corezoid export</a>
            </div>
          </details>
          {mode === "live" && canWriteTasks && published && <NewTaskButton processId={process.id} onCreated={(id) => setOpenTask(id)} />}
          {canEdit && <Button onClick={() => void publish()} disabled={publishing || !!viewing} data-testid="publish">{publishing ? "Publishing…" : "Publish"}</Button>}
        </div>
      </div>
      {initial.problem && <div role="alert" className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-700">The stored draft is not a valid process: {initial.problem}</div>}
      {autosave.status === "conflict" && (
        <div role="alert" className="flex items-center gap-3 border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800" data-testid="save-conflict">
          Someone else saved this draft since you opened it.
          <Button variant="secondary" onClick={() => void reloadDraft()}>Load theirs (drop my changes)</Button>
          <Button variant="danger" onClick={autosave.overwrite}>Keep mine (overwrite)</Button>
        </div>
      )}
      {notice && (
        <div role="status" className={`flex items-center border-b px-4 py-1.5 text-sm ${notice.tone === "ok" ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800"}`} data-testid="editor-notice">
          <span className="flex-1">{notice.text}</span>
          <button type="button" aria-label="dismiss" onClick={() => setNotice(null)}>✕</button>
        </div>
      )}
      {viewing && (
        <div className="flex items-center gap-3 border-b border-brand-500/30 bg-brand-50 px-4 py-1.5 text-sm" data-testid="viewing-version">
          Viewing version {viewing.version} (read-only).
          <button type="button" className="text-brand-700 hover:underline" onClick={() => setViewing(null)}>Back to the draft</button>
        </div>
      )}
      {mode === "live" && !published && <div className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-sm text-amber-800">Not published yet: tasks cannot enter. The draft is shown.</div>}
      <div className="flex min-h-0 flex-1">
        {editable && (
          <aside className="w-56 shrink-0 border-r border-slate-200 bg-slate-50">
            <Palette onAdd={addInView} />
          </aside>
        )}
        <div ref={canvasBox} className="relative min-h-0 min-w-0 flex-1">
          {/* The canvas renders in the browser only: React Flow measures nodes in the DOM, and server-rendering
              300 hidden nodes only to hydrate them again made the first paint slower. */}
          {mounted ? <FlowCanvas
            scheme={shownScheme}
            editable={editable}
            issues={mode === "edit" && !viewing ? issueMap : noIssues}
            highlight={highlight}
            counts={counts}
            showCounts={!!published}
            edits={editable ? edits : undefined}
            select={select}
            onSelectionChange={setSelected}
            onNodeClick={(id) => {
              if (mode === "live") {
                setLiveNode(id);
                setOpenTask(null);
              } else setTab("inspect");
            }}
          /> : <div className="flex h-full items-center justify-center text-sm text-slate-400" data-testid="canvas-loading">Loading the canvas…</div>}
          {countsQuery.isError && (
            <div role="status" className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded bg-amber-100 px-3 py-1 text-sm text-amber-800">
              Live counts unavailable: {(countsQuery.error as Error).message}
            </div>
          )}
        </div>
        <aside className="flex w-96 shrink-0 flex-col border-l border-slate-200 bg-white" aria-label="Details">
          {mode === "edit" ? (
            <>
              <div className="border-b border-slate-200 p-2">
                <Tabs<SideTab> label="Panels" value={tab} onChange={setTab} options={[
                  { value: "inspect", label: "Inspector", testId: "tab-inspect" },
                  { value: "problems", label: <>Problems {errorCount > 0 && <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs text-white" data-testid="problem-count">{errorCount}</span>}</>, testId: "tab-problems" },
                  { value: "versions", label: "Versions", testId: "tab-versions" },
                  { value: "dryrun", label: "Dry run", testId: "tab-dryrun" },
                ]} />
              </div>
              <div className="min-h-0 flex-1 overflow-y-auto p-3">
                <InspectorContext.Provider value={{ names, processes: processes.data ?? [], scheme: shownScheme, processId: process.id, readOnly: !editable }}>
                  {tab === "inspect" && (selectedNode ? (
                    <Inspector key={selectedNode.id} node={selectedNode} issues={issues.filter((i) => i.nodeId === selectedNode.id)} editNode={editNode} />
                  ) : selected.length > 1 ? (
                    <p className="text-sm text-slate-600" data-testid="multi-selection">{selected.length} nodes selected: move, copy, duplicate or delete them together.</p>
                  ) : (
                    <ProcessPanel info={info} canEdit={canEdit} params={doc.params} onParams={(params) => store.edit((d: EditorDoc) => ({ ...d, params }), "params")} onRenamed={(p) => setInfo((i) => ({ ...i, ...p }))} />
                  ))}
                  {tab === "problems" && <ProblemsPanel issues={issues} scheme={doc.scheme} onFocusNode={focusNode} />}
                  {tab === "versions" && <VersionsPanel processId={process.id} canEdit={canEdit} viewing={viewing?.version ?? null} onView={(v) => void viewVersion(v)} onRestored={(r, v) => void restored(r, v)} />}
                  {tab === "dryrun" && <DryRunPanel scheme={doc.scheme} processId={process.id} onPath={setPath} />}
                </InspectorContext.Provider>
              </div>
            </>
          ) : (
            <div className="min-h-0 flex-1 overflow-y-auto p-3">
              {openTask ? (
                <TaskDetail taskId={openTask} canWrite={canWriteTasks} onPath={setPath} onClose={() => setOpenTask(null)} />
              ) : liveNode ? (
                <TasksPanel processId={process.id} nodeId={liveNode} nodeTitle={liveNodeTitle} canWrite={canWriteTasks} onOpen={setOpenTask} />
              ) : (
                <div className="space-y-2 text-sm text-slate-600" data-testid="live-help">
                  <p>Each node shows how many tasks are in it now; a final node shows every task that ended there.</p>
                  <p>Choose a node to list its tasks; open a task to see its data and its path.</p>
                  {shownScheme.nodes.filter((n) => n.obj_type === NODE_TYPES.final).length === 0 && <p>This process has no final node yet.</p>}
                </div>
              )}
            </div>
          )}
        </aside>
      </div>
      <ShortcutsDialog ref={helpRef} />
    </div>
  );
}

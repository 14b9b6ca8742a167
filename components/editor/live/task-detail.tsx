"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../lib/api";
import { Button, ErrorNote } from "../../lib/ui";

interface PathStep {
  nodeId: string;
  title: string;
  at: number;
  via: string;
  outcome: string;
  visit: number;
  branch?: number;
  waiting?: string;
  error?: { prefix: string; tag: string };
  event: string;
}

export interface TaskDetailDto {
  id: string;
  ref: string | null;
  processId: number;
  version: number;
  nodeId: string;
  nodeTitle: string;
  status: string;
  finalKind: string | null;
  waiting: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  changedAt: string;
  path: PathStep[];
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/**
 * A task: its data, the nodes it passed with times (highlighted on the
 * canvas), and — when it waits for a callback — a form to modify its data.
 */
export function TaskDetail({ taskId, canWrite, onPath, onClose }: { taskId: string; canWrite: boolean; onPath(path: string[] | null, current?: string): void; onClose(): void }) {
  const qc = useQueryClient();
  const task = useQuery({
    queryKey: ["task", taskId],
    queryFn: () => api<TaskDetailDto>(`/api/tasks/${taskId}`),
    refetchInterval: (q) => (q.state.data?.status === "finished" ? false : 2000),
  });
  const [edit, setEdit] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const modify = useMutation({
    mutationFn: (data: Record<string, unknown>) => api(`/api/tasks/${taskId}`, { method: "PATCH", body: { data } }),
    onSuccess: () => {
      setEdit(null);
      void qc.invalidateQueries({ queryKey: ["task", taskId] });
    },
  });
  const t = task.data;
  const pathKey = t ? `${t.path.map((p) => p.nodeId).join(">")}|${t.nodeId}` : "";
  useEffect(() => {
    if (t) onPath(t.path.map((p) => p.nodeId), t.nodeId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pathKey]);
  useEffect(() => () => onPath(null), [onPath]);

  return (
    <div className="space-y-3" data-testid="task-detail" data-task-id={taskId}>
      <div className="flex items-center gap-2">
        <button type="button" className="text-xs text-brand-700 hover:underline" onClick={onClose}>← tasks</button>
        <span className="ml-auto text-xs text-slate-500">v{t?.version}</span>
      </div>
      <ErrorNote error={task.error ?? modify.error ?? parseError} />
      {t && (
        <>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
            <dt className="text-slate-500">ref</dt><dd className="break-all">{t.ref ?? "—"}</dd>
            <dt className="text-slate-500">id</dt><dd className="break-all font-mono">{t.id}</dd>
            <dt className="text-slate-500">status</dt><dd data-testid="task-status">{t.waiting ? `waiting (${t.waiting})` : t.status}{t.finalKind ? ` · ${t.finalKind}` : ""}</dd>
            <dt className="text-slate-500">in node</dt><dd data-testid="task-node">{t.nodeTitle || t.nodeId}</dd>
            <dt className="text-slate-500">created</dt><dd>{new Date(t.createdAt).toLocaleString()}</dd>
          </dl>
          <section>
            <h4 className="text-xs font-semibold uppercase text-slate-500">Path</h4>
            <ol className="mt-1 space-y-0.5 text-xs" data-testid="task-path">
              {t.path.map((p, i) => (
                <li key={i} className="flex gap-2" data-node-id={p.nodeId}>
                  <span className="font-mono text-slate-500">{time(p.at)}</span>
                  <span className="font-medium">{p.title || p.nodeId}</span>
                  <span className="text-slate-500">{p.via}{p.branch !== undefined ? ` (branch ${p.branch + 1})` : ""} · {p.outcome}{p.waiting ? ` (${p.waiting})` : ""}</span>
                  {p.error && <span className="text-red-700">{p.error.tag}</span>}
                </li>
              ))}
            </ol>
          </section>
          <section>
            <div className="flex items-center justify-between">
              <h4 className="text-xs font-semibold uppercase text-slate-500">Data</h4>
              {canWrite && t.waiting === "callback" && edit === null && (
                <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => setEdit(JSON.stringify(t.data, null, 2))} data-testid="modify-task">Modify</button>
              )}
            </div>
            {edit === null ? (
              <pre className="mt-1 max-h-80 overflow-auto rounded bg-slate-100 p-2 text-[11px]" data-testid="task-data">{JSON.stringify(t.data, null, 2)}</pre>
            ) : (
              <div className="space-y-1">
                <textarea rows={10} className="w-full rounded border border-slate-300 p-2 font-mono text-[11px]" value={edit} onChange={(e) => setEdit(e.target.value)} data-testid="modify-task-data" aria-label="task data" />
                <p className="text-xs text-slate-500">Keys you add or change are merged into the task (Corezoid's modify); the task then moves on.</p>
                <div className="flex gap-2">
                  <Button onClick={() => {
                    try {
                      const data = JSON.parse(edit) as unknown;
                      if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("the data must be a JSON object");
                      setParseError(null);
                      modify.mutate(data as Record<string, unknown>);
                    } catch (e) {
                      setParseError((e as Error).message);
                    }
                  }} disabled={modify.isPending} data-testid="modify-task-save">Save</Button>
                  <Button variant="secondary" onClick={() => setEdit(null)}>Cancel</Button>
                </div>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}

"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { api } from "../../lib/api";
import { Button, ErrorNote } from "../../lib/ui";

export interface TaskListItem {
  id: string;
  ref: string | null;
  status: string;
  finalKind: string | null;
  waiting: string | null;
  createdAt: string;
  changedAt: string;
  preview: string;
}

interface TaskPage {
  tasks: TaskListItem[];
  nextCursor: string | null;
  total: number;
}

/**
 * The tasks in one node, newest change first, a page at a time; search by
 * ref or by a data value (`path=value`, or any text). Operators with task
 * rights can delete tasks from the node.
 */
export function TasksPanel({ processId, nodeId, nodeTitle, canWrite, onOpen }: { processId: number; nodeId: string; nodeTitle: string; canWrite: boolean; onOpen(taskId: string): void }) {
  const qc = useQueryClient();
  const [ref, setRef] = useState("");
  const [q, setQ] = useState("");
  const filters = useDeferredValue({ ref, q });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const key = ["node-tasks", processId, nodeId, filters.ref, filters.q];
  const list = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const sp = new URLSearchParams({ nodeId, limit: "20" });
      if (filters.ref) sp.set("ref", filters.ref);
      if (filters.q) sp.set("q", filters.q);
      if (pageParam) sp.set("cursor", pageParam);
      return api<TaskPage>(`/api/processes/${processId}/tasks?${sp}`);
    },
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 3000,
  });
  const remove = useMutation({
    mutationFn: (body: { taskIds: string[] } | { all: true }) => api<{ deleted: number }>(`/api/processes/${processId}/tasks`, { method: "DELETE", body: { nodeId, ...body } }),
    onSuccess: () => {
      setPicked(new Set());
      void qc.invalidateQueries({ queryKey: ["node-tasks", processId, nodeId] });
      void qc.invalidateQueries({ queryKey: ["node-counts", processId] });
    },
  });
  const tasks = list.data?.pages.flatMap((p) => p.tasks) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;
  const toggle = (id: string) => setPicked((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  return (
    <div className="space-y-2" data-testid="tasks-panel" data-node-id={nodeId}>
      <div className="text-sm"><span className="font-semibold">{nodeTitle || nodeId}</span> <span className="text-slate-500" data-testid="tasks-total">{total} task(s)</span></div>
      <div className="flex gap-1">
        <input aria-label="Search by ref" placeholder="ref" className="w-1/3 rounded border border-slate-300 px-2 py-1 text-sm" value={ref} onChange={(e) => setRef(e.target.value)} data-testid="tasks-search-ref" />
        <input aria-label="Search the data" placeholder="data: text or path=value" className="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1 text-sm" value={q} onChange={(e) => setQ(e.target.value)} data-testid="tasks-search-data" />
      </div>
      <ErrorNote error={list.error ?? remove.error} />
      <ul className="divide-y divide-slate-100 rounded border border-slate-200 bg-white" data-testid="tasks-list">
        {tasks.map((t) => (
          <li key={t.id} className="flex items-start gap-2 px-2 py-1.5 text-xs">
            {canWrite && <input type="checkbox" aria-label={`select task ${t.ref ?? t.id}`} checked={picked.has(t.id)} onChange={() => toggle(t.id)} className="mt-0.5" />}
            <button type="button" className="min-w-0 flex-1 text-left hover:text-brand-700" onClick={() => onOpen(t.id)} data-testid={`task-row-${t.id}`}>
              <span className="block font-medium">{t.ref ?? t.id.slice(0, 8)}</span>
              <span className="block text-slate-500">{t.waiting ? `waiting: ${t.waiting}` : t.status}{t.finalKind ? ` (${t.finalKind})` : ""} · {new Date(t.changedAt).toLocaleTimeString()}</span>
              <span className="block truncate font-mono text-[11px] text-slate-600">{t.preview}</span>
            </button>
          </li>
        ))}
        {tasks.length === 0 && !list.isLoading && <li className="px-2 py-3 text-center text-xs text-slate-500">No tasks here{filters.ref || filters.q ? " match" : ""}.</li>}
      </ul>
      {list.hasNextPage && <Button variant="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>Load more</Button>}
      {canWrite && tasks.length > 0 && (
        <div className="flex gap-2">
          <Button variant="danger" disabled={picked.size === 0 || remove.isPending} data-testid="delete-selected-tasks"
            onClick={() => confirm(`Delete ${picked.size} task(s) from "${nodeTitle}"? Their data and history are removed.`) && remove.mutate({ taskIds: [...picked] })}>
            Delete selected
          </Button>
          <Button variant="danger" disabled={remove.isPending} data-testid="delete-all-tasks"
            onClick={() => confirm(`Delete all ${total} task(s) in "${nodeTitle}"?`) && remove.mutate({ all: true })}>
            Delete all here
          </Button>
        </div>
      )}
    </div>
  );
}

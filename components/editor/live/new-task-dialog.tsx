"use client";
import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api } from "../../lib/api";
import { Button, ErrorNote } from "../../lib/ui";

/** Creates a task by hand in the published version (a `<dialog>`: focus-trapped, Esc closes). */
export function NewTaskButton({ processId, onCreated }: { processId: number; onCreated(taskId: string): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [ref, setRef] = useState("");
  const [data, setData] = useState("{\n  \n}");
  const [parseError, setParseError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: { ref?: string; data: Record<string, unknown> }) => api<{ created: Array<{ id: string }>; duplicates: string[] }>(`/api/processes/${processId}/tasks`, { body }),
    onSuccess: (r) => {
      if (r.created[0]) {
        dialog.current?.close();
        onCreated(r.created[0].id);
      } else setParseError(`a live task already has the ref ${r.duplicates[0]}`);
    },
  });
  const submit = () => {
    try {
      const parsed = JSON.parse(data) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the data must be a JSON object");
      setParseError(null);
      create.mutate({ ...(ref.trim() ? { ref: ref.trim() } : {}), data: parsed as Record<string, unknown> });
    } catch (e) {
      setParseError((e as Error).message);
    }
  };
  return (
    <>
      <Button variant="secondary" onClick={() => dialog.current?.showModal()} data-testid="new-task">New task</Button>
      <dialog ref={dialog} className="m-auto w-[28rem] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40" aria-labelledby="new-task-title">
        <form method="dialog" className="space-y-3 p-4" onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <h2 id="new-task-title" className="text-lg font-semibold">New task</h2>
          <label className="block text-xs font-medium text-slate-700">Ref (optional, unique among live tasks)
            <input className="mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm" value={ref} onChange={(e) => setRef(e.target.value)} data-testid="new-task-ref" />
          </label>
          <label className="block text-xs font-medium text-slate-700">Data (JSON object)
            <textarea rows={8} className="mt-1 w-full rounded border border-slate-300 p-2 font-mono text-xs" value={data} onChange={(e) => setData(e.target.value)} data-testid="new-task-data" />
          </label>
          <ErrorNote error={parseError ?? create.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>Cancel</Button>
            <Button type="submit" disabled={create.isPending} data-testid="new-task-create">Create</Button>
          </div>
        </form>
      </dialog>
    </>
  );
}

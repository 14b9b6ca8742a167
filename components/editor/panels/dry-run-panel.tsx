"use client";
import { useRef, useState } from "react";
import type { ProcessScheme } from "@/engine/index";
import { DryRun, type DryRunState } from "../model/dry-run";
import { Button, ErrorNote } from "../../lib/ui";

function parseObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text || "{}");
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v));

/**
 * Dry run of the draft in the browser: no task is stored and nothing is sent.
 * API calls get the answer set here; copies, calls and alerts are listed as
 * the commands the engine would issue. The path is highlighted on the canvas.
 */
export function DryRunPanel({ scheme, processId, onPath }: { scheme: ProcessScheme; processId: number; onPath(path: string[] | null, current?: string): void }) {
  const [input, setInput] = useState('{\n  "eventType": "AwsApiCall"\n}');
  const [httpStatus, setHttpStatus] = useState(200);
  const [httpBody, setHttpBody] = useState("{}");
  const [callbackData, setCallbackData] = useState("{}");
  const [state, setState] = useState<DryRunState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useRef<DryRun | null>(null);

  const apply = (s: DryRunState) => {
    setState(s);
    onPath(s.steps.map((x) => x.nodeId), s.nodeId);
  };
  const act = (fn: () => DryRunState) => {
    try {
      setError(null);
      apply(fn());
    } catch (e) {
      setError(e);
    }
  };
  const start = () => act(() => {
    run.current = new DryRun({ scheme, processId: String(processId), http: { status: httpStatus, body: parseObject(httpBody, "The API answer") } });
    return run.current.start(parseObject(input, "The task"));
  });

  return (
    <div className="space-y-3" data-testid="dry-run-panel">
      <p className="text-xs text-slate-500">Runs the draft as it is now, in your browser: no task is stored, no request, copy or alert leaves.</p>
      <label className="block text-xs font-medium text-slate-700">
        Task data (JSON)
        <textarea rows={6} className="mt-1 w-full rounded-md border border-slate-300 p-2 font-mono text-xs" value={input} onChange={(e) => setInput(e.target.value)} data-testid="dry-run-input" spellCheck={false} />
      </label>
      <details className="text-xs">
        <summary className="cursor-pointer text-slate-600">Answer of API calls</summary>
        <div className="mt-1 flex items-center gap-2">
          <label>status <input type="number" className="w-20 rounded border border-slate-300 px-1" value={httpStatus} onChange={(e) => setHttpStatus(Number(e.target.value))} /></label>
        </div>
        <textarea rows={3} aria-label="API answer body" className="mt-1 w-full rounded-md border border-slate-300 p-2 font-mono text-xs" value={httpBody} onChange={(e) => setHttpBody(e.target.value)} />
      </details>
      <div className="flex gap-2">
        <Button onClick={start} data-testid="dry-run-start">Run</Button>
        {state && <Button variant="secondary" onClick={() => { setState(null); run.current = null; onPath(null); }}>Clear</Button>}
      </div>
      <ErrorNote error={error} />
      {state && (
        <div className="space-y-3" data-testid="dry-run-result">
          <div className={`rounded px-2 py-1 text-sm ${state.status === "finished" ? (state.finalKind === "success" ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800") : "bg-amber-50 text-amber-800"}`} data-testid="dry-run-status">
            {state.status === "finished" ? `Finished (${state.finalKind})` : state.status === "waiting" ? `Waiting (${state.waiting})` : "Stopped"} in {state.steps.at(-1)?.title || state.nodeId}
          </div>
          {state.status === "waiting" && (
            <div className="space-y-1 rounded border border-slate-200 p-2 text-xs">
              {state.timerAt !== undefined && <Button variant="secondary" onClick={() => act(() => run.current!.fireTimer())} data-testid="dry-run-fire-timer">Let the time limit fire</Button>}
              {state.waiting === "callback" && (
                <>
                  <textarea rows={2} aria-label="callback data" className="w-full rounded border border-slate-300 p-1 font-mono" value={callbackData} onChange={(e) => setCallbackData(e.target.value)} />
                  <Button variant="secondary" onClick={() => act(() => run.current!.callback(parseObject(callbackData, "The callback data")))}>Send the callback</Button>
                </>
              )}
            </div>
          )}
          <ol className="space-y-1" data-testid="dry-run-steps">
            {state.steps.map((s, i) => (
              <li key={i} className="rounded border border-slate-200 bg-white px-2 py-1 text-xs" data-testid={`dry-run-step-${i}`} data-node-id={s.nodeId}>
                <div className="flex gap-2">
                  <span className="font-semibold">{i + 1}. {s.title || s.nodeId}</span>
                  <span className="text-slate-500">{s.via}{s.branch !== undefined ? ` (branch ${s.branch + 1})` : ""} · {s.outcome}{s.waiting ? ` (${s.waiting})` : ""}</span>
                </div>
                {s.error && <div className="text-red-700">error {s.error.tag}</div>}
                {s.note && <div className="text-amber-700">{s.note}</div>}
                {s.changes.length > 0 && (
                  <ul className="mt-0.5 font-mono">
                    {s.changes.map((c) => (
                      <li key={c.path} className={c.kind === "removed" ? "text-red-700" : c.kind === "added" ? "text-emerald-700" : "text-blue-700"}>
                        {c.kind === "added" ? "+" : c.kind === "removed" ? "−" : "~"} {c.path}{c.kind !== "removed" ? ` = ${show(c.after)}` : ""}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
          <div>
            <h4 className="text-xs font-semibold uppercase text-slate-500">Would issue ({state.commands.length})</h4>
            <ul className="space-y-1" data-testid="dry-run-commands">
              {state.commands.map((c, i) => (
                <li key={i} className="rounded bg-slate-100 px-2 py-1 text-xs">
                  <div className="font-mono">{c.summary}</div>
                  {c.detail !== undefined && <pre className="mt-0.5 max-h-32 overflow-auto whitespace-pre-wrap break-all text-[11px] text-slate-600">{JSON.stringify(c.detail, null, 1)}</pre>}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}

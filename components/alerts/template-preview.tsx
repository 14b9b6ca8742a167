"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input, Select } from "../lib/ui";

interface Preview {
  sample: { taskId: string | null; processId: number | null; data: Record<string, unknown> };
  title: string;
  message: string;
  severity: string;
  fields: Record<string, string>;
  payloads: Record<string, unknown>;
}

const SEVERITIES = ["info", "low", "medium", "high", "critical"];
const EXAMPLE = JSON.stringify({ eventName: "StopLogging", userIdentity: { arn: "arn:aws:iam::218007301253:user/alice" }, sourceIPAddress: "203.0.113.7", recipientAccountId: "218007301253", awsRegion: "us-east-1" }, null, 2);

/**
 * Writes a notify block's templates ({{path}}, {{root.task_id}}, $.functions: the engine's
 * template language) and renders them against a sample task: a real one, the newest of a
 * process, or data typed in. Shows what each channel type would receive.
 */
export function TemplatePreview({ processes, channelTypes }: { processes: Array<{ id: number; title: string }>; channelTypes: Record<string, string> }) {
  const [tpl, setTpl] = useState({
    title: "{{eventName}} in {{recipientAccountId}}",
    message: "{{userIdentity.arn}} called {{eventName}} from {{sourceIPAddress}}",
    severity: "high",
    fields: "Region: {{awsRegion}}\nTask: {{root.task_id}}",
  });
  const [sampleKind, setSampleKind] = useState<"data" | "process" | "task">("data");
  const [sample, setSample] = useState({ data: EXAMPLE, processId: String(processes[0]?.id ?? ""), taskId: "" });
  const [type, setType] = useState(Object.keys(channelTypes)[0]);
  const preview = useMutation({
    mutationFn: () => {
      const fields = Object.fromEntries(tpl.fields.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
        const i = l.indexOf(":");
        return i > 0 ? [l.slice(0, i).trim(), l.slice(i + 1).trim()] : [l, ""];
      }));
      let s: unknown;
      if (sampleKind === "task") s = { taskId: sample.taskId.trim() };
      else if (sampleKind === "process") s = { processId: Number(sample.processId) };
      else {
        try {
          s = { data: JSON.parse(sample.data) as unknown };
        } catch (e) {
          throw new Error(`the sample data is not JSON: ${(e as Error).message}`, { cause: e });
        }
      }
      return api<Preview>("/api/alerts/preview", { body: { title: tpl.title, message: tpl.message, severity: tpl.severity, fields, sample: s } });
    },
  });
  const p = preview.data;
  const area = "rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs";

  return (
    <div className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 lg:grid-cols-2" data-testid="template-preview">
      <div className="space-y-3">
        <Field label="Title"><Input value={tpl.title} onChange={(e) => setTpl({ ...tpl, title: e.target.value })} data-testid="tpl-title" /></Field>
        <Field label="Message"><textarea rows={3} className={area} value={tpl.message} onChange={(e) => setTpl({ ...tpl, message: e.target.value })} data-testid="tpl-message" /></Field>
        <div className="flex gap-3">
          <Field label="Severity">
            <Select value={tpl.severity} onChange={(e) => setTpl({ ...tpl, severity: e.target.value })}>{SEVERITIES.map((s) => <option key={s}>{s}</option>)}</Select>
          </Field>
          <Field label="Fields (Name: template, one per line)"><textarea rows={3} className={`${area} w-72`} value={tpl.fields} onChange={(e) => setTpl({ ...tpl, fields: e.target.value })} /></Field>
        </div>
        <Field label="Sample task">
          <Select value={sampleKind} onChange={(e) => setSampleKind(e.target.value as typeof sampleKind)} data-testid="tpl-sample-kind">
            <option value="data">data typed in</option>
            <option value="process">newest task of a process</option>
            <option value="task">a task by id</option>
          </Select>
        </Field>
        {sampleKind === "data" && <textarea rows={8} className={`${area} w-full`} value={sample.data} onChange={(e) => setSample({ ...sample, data: e.target.value })} data-testid="tpl-sample-data" />}
        {sampleKind === "process" && (
          <Select value={sample.processId} onChange={(e) => setSample({ ...sample, processId: e.target.value })}>
            {processes.map((x) => <option key={x.id} value={x.id}>#{x.id} {x.title}</option>)}
          </Select>
        )}
        {sampleKind === "task" && <Input value={sample.taskId} onChange={(e) => setSample({ ...sample, taskId: e.target.value })} placeholder="task id (uuid)" className="w-full" />}
        <Button onClick={() => preview.mutate()} disabled={preview.isPending} data-testid="tpl-render">Render preview</Button>
        <ErrorNote error={preview.error} />
      </div>
      <div className="min-w-0 space-y-3">
        {p ? (
          <>
            <div className="rounded border border-slate-200 p-3" data-testid="tpl-result">
              <div className="text-xs uppercase text-slate-500">{p.severity}{p.sample.taskId ? ` · task ${p.sample.taskId}` : " · typed-in data"}</div>
              <div className="font-medium" data-testid="tpl-result-title">{p.title}</div>
              <p className="whitespace-pre-wrap text-sm" data-testid="tpl-result-message">{p.message}</p>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 text-xs">
                {Object.entries(p.fields).map(([k, v]) => <div key={k} className="contents"><dt className="font-medium text-slate-500">{k}</dt><dd className="break-all">{v}</dd></div>)}
              </dl>
            </div>
            <Field label="What the channel receives">
              <Select value={type} onChange={(e) => setType(e.target.value)} data-testid="tpl-channel-type">
                {Object.entries(channelTypes).map(([t, title]) => <option key={t} value={t}>{title}</option>)}
              </Select>
            </Field>
            <pre className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="tpl-payload">{JSON.stringify(p.payloads[type], null, 2)}</pre>
          </>
        ) : (
          <p className="text-sm text-slate-500">Write the templates, pick a sample, and render: the text is exactly what a notify block would send.</p>
        )}
      </div>
    </div>
  );
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input, OnceBox, Select } from "../lib/ui";
import { AlertStatusBadge } from "./alert-status";

/** The form of one channel type, as the server describes it (which fields, which are secret). */
export interface ChannelForm {
  title: string;
  fields: Array<{ key: string; label: string; secret: boolean; kind: string; required: boolean; placeholder?: string; help?: string; options?: string[] }>;
}
export interface ChannelRow {
  id: string;
  name: string;
  type: string;
  settings: Record<string, unknown>;
  secrets?: Record<string, string>;
  rate: { max: number; perSec: number } | null;
  summary: string;
}
type Rate = { max: number; perSec: number } | null;

/** Form values as typed (strings), turned into the API's settings/secrets on submit. */
function toBody(form: ChannelForm, values: Record<string, string>) {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const f of form.fields) {
    const raw = (values[f.key] ?? "").trim();
    if (!raw) continue;
    let v: unknown = raw;
    if (f.kind === "number") v = Number(raw);
    if (f.kind === "list") v = raw.split(/[,\s;]+/).filter(Boolean);
    if (f.kind === "headers") {
      v = Object.fromEntries(raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
        const i = l.indexOf(":");
        return i > 0 ? [l.slice(0, i).trim(), l.slice(i + 1).trim()] : [l, ""];
      }));
    }
    (f.secret ? secrets : settings)[f.key] = v;
  }
  return { settings, secrets };
}

function fromSettings(form: ChannelForm, settings: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of form.fields) {
    if (f.secret) continue;
    const v = settings[f.key];
    if (v !== undefined && v !== null) out[f.key] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

/** Alert channels: create, change, delete, "send test". Editors see them without secrets and cannot change them. */
export function ChannelsPanel({ forms, defaultRates, canManage, missing }: {
  forms: Record<string, ChannelForm>;
  defaultRates: Record<string, Rate>;
  canManage: boolean;
  /** Channel names published notify blocks use that do not exist. */
  missing: Array<{ name: string; processes: string[] }>;
}) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["channels"], queryFn: () => api<{ channels: ChannelRow[] }>("/api/channels").then((r) => r.channels) });
  const [editing, setEditing] = useState<ChannelRow | "new" | null>(null);
  const [prefill, setPrefill] = useState("");
  const [shown, setShown] = useState<{ title: string; value: string } | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["channels"] });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/channels/${id}`, { method: "DELETE" }), onSettled: refresh });

  return (
    <div className="space-y-4">
      {missing.length > 0 && (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="missing-channels">
          <div className="font-medium">Published processes notify channels that do not exist; their alerts take the notify block&apos;s error exit:</div>
          <ul className="mt-1 list-disc pl-5">
            {missing.map((m) => (
              <li key={m.name}>
                <code>{m.name}</code> — used by {m.processes.join(", ")}
                {canManage && <button type="button" className="ml-2 text-brand-700 underline" onClick={() => { setPrefill(m.name); setEditing("new"); }}>create it</button>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {canManage && !editing && <Button onClick={() => { setPrefill(""); setEditing("new"); }} data-testid="new-channel">New channel</Button>}
      {canManage && editing && (
        <ChannelEditor
          key={editing === "new" ? `new-${prefill}` : editing.id}
          forms={forms}
          defaultRates={defaultRates}
          channel={editing === "new" ? null : editing}
          initialName={prefill}
          onDone={(generated) => {
            setEditing(null);
            if (generated) setShown(generated);
            refresh();
          }}
        />
      )}
      {shown && <OnceBox title={shown.title} value={shown.value} testId="channel-generated-secret" />}
      <ErrorNote error={list.error ?? remove.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="channels-table">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr><th className="px-3 py-2">Channel</th><th className="px-3 py-2">Type</th><th className="px-3 py-2">Destination</th><th className="px-3 py-2">Rate limit</th><th className="px-3 py-2" /></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {(list.data ?? []).map((c) => (
            <tr key={c.id} data-testid={`channel-row-${c.name}`} className="align-top">
              <td className="px-3 py-2 font-medium">{c.name}</td>
              <td className="px-3 py-2">{forms[c.type]?.title ?? c.type}</td>
              <td className="px-3 py-2 text-slate-600">
                {c.summary}
                {c.secrets && Object.keys(c.secrets).length > 0 && (
                  <div className="mt-1 space-y-0.5 font-mono text-xs text-slate-400">
                    {Object.entries(c.secrets).map(([k, v]) => <div key={k} className="whitespace-pre-wrap break-all">{k}: {v}</div>)}
                  </div>
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-600">{c.rate ? `${c.rate.max} per ${c.rate.perSec} s` : "no limit"}</td>
              <td className="space-y-2 px-3 py-2 text-right">
                {canManage && (
                  <>
                    <div className="space-x-2 whitespace-nowrap">
                      <TestButton channel={c} />
                      <Button variant="secondary" onClick={() => setEditing(c)} data-testid={`edit-${c.name}`}>Edit</Button>
                      <Button variant="danger" onClick={() => confirm(`Delete channel ${c.name}? Notify blocks naming it will take their error exit.`) && remove.mutate(c.id)}>Delete</Button>
                    </div>
                  </>
                )}
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && <tr><td colSpan={5} className="px-3 py-6 text-center text-slate-500">No channels yet.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** "Send test": enqueues a test alert and follows it until it is sent or fails. */
function TestButton({ channel }: { channel: ChannelRow }) {
  const [alertId, setAlertId] = useState<string | null>(null);
  const send = useMutation({ mutationFn: () => api<{ alertId: string }>(`/api/channels/${channel.id}/test`, { body: {} }), onSuccess: (r) => setAlertId(r.alertId) });
  const outcome = useQuery({
    queryKey: ["alert", alertId],
    enabled: alertId !== null,
    queryFn: () => api<{ alert: { status: string; lastError: string | null; latencyMs: number | null } }>(`/api/alerts/${alertId}`).then((r) => r.alert),
    refetchInterval: (q) => (q.state.data && ["sent", "failed"].includes(q.state.data.status) ? false : 500),
  });
  const a = outcome.data;
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button variant="secondary" onClick={() => { setAlertId(null); send.mutate(); }} disabled={send.isPending} data-testid={`test-${channel.name}`}>Send test</Button>
      {(a || send.error) && (
        <span className="max-w-xs text-left text-xs" data-testid={`test-result-${channel.name}`}>
          {send.error ? <span className="text-red-700">{(send.error as Error).message}</span>
            : a!.status === "sent" ? <span className="text-emerald-700">Sent{a!.latencyMs !== null ? ` in ${a!.latencyMs} ms` : ""}</span>
            : a!.status === "failed" ? <span className="text-red-700">Failed: {a!.lastError}</span>
            : <AlertStatusBadge status={a!.status} />}
        </span>
      )}
    </span>
  );
}

function ChannelEditor({ forms, defaultRates, channel, initialName, onDone }: {
  forms: Record<string, ChannelForm>;
  defaultRates: Record<string, Rate>;
  channel: ChannelRow | null;
  initialName: string;
  onDone: (generated?: { title: string; value: string }) => void;
}) {
  const types = Object.keys(forms);
  const [type, setType] = useState(channel?.type ?? types[0]);
  const [name, setName] = useState(channel?.name ?? initialName);
  const [values, setValues] = useState<Record<string, string>>(channel ? fromSettings(forms[channel.type], channel.settings) : {});
  const initialRate = channel ? channel.rate : defaultRates[type];
  const [rate, setRate] = useState({ max: initialRate ? String(initialRate.max) : "", perSec: initialRate ? String(initialRate.perSec) : "" });
  const form = forms[type];
  const save = useMutation({
    mutationFn: async () => {
      const { settings, secrets } = toBody(form, values);
      const r = rate.max && rate.perSec ? { max: Number(rate.max), perSec: Number(rate.perSec) } : null;
      if (channel) {
        await api(`/api/channels/${channel.id}`, { method: "PATCH", body: { name, settings, secrets, rate: r } });
        return undefined;
      }
      const res = await api<{ channel: { name: string }; generated: Record<string, string> }>("/api/channels", { body: { name, type, settings, secrets, rate: r } });
      return res.generated.signingSecret ? { title: `Signing secret of "${res.channel.name}" (verify X-Conveyor-Signature with it)`, value: res.generated.signingSecret } : undefined;
    },
    onSuccess: (generated) => onDone(generated),
  });

  return (
    <form className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="channel-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Name"><Input value={name} onChange={(e) => setName(e.target.value)} placeholder="security-alerts" required data-testid="channel-name" /></Field>
        <Field label="Type">
          <Select value={type} disabled={channel !== null} data-testid="channel-type" onChange={(e) => {
            setType(e.target.value);
            setValues({});
            const d = defaultRates[e.target.value];
            setRate({ max: d ? String(d.max) : "", perSec: d ? String(d.perSec) : "" });
          }}>
            {types.map((t) => <option key={t} value={t}>{forms[t].title}</option>)}
          </Select>
        </Field>
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        {form.fields.map((f) => {
          const masked = f.secret ? channel?.secrets?.[f.key] : undefined;
          const placeholder = masked ? `${masked.split("\n")[0]} — leave empty to keep` : f.placeholder;
          const common = { value: values[f.key] ?? "", "data-testid": `field-${f.key}`, onChange: (e: { target: { value: string } }) => setValues({ ...values, [f.key]: e.target.value }) };
          return (
            <Field key={f.key} label={`${f.label}${f.required && !masked ? " *" : ""}${f.secret ? " (secret)" : ""}`}>
              {f.kind === "headers"
                ? <textarea {...common} rows={3} placeholder={placeholder} className="rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs" />
                : f.kind === "select"
                  ? <Select {...common}><option value="">(default)</option>{f.options?.map((o) => <option key={o} value={o}>{o}</option>)}</Select>
                  : <Input {...common} type={f.kind === "password" ? "password" : f.kind === "number" ? "number" : "text"} autoComplete="off" placeholder={placeholder} />}
              {f.help && <span className="text-xs text-slate-500">{f.help}</span>}
            </Field>
          );
        })}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Rate limit: at most"><Input type="number" min={1} value={rate.max} onChange={(e) => setRate({ ...rate, max: e.target.value })} placeholder="no limit" className="w-28" /></Field>
        <Field label="messages per (seconds)"><Input type="number" min={1} value={rate.perSec} onChange={(e) => setRate({ ...rate, perSec: e.target.value })} placeholder="—" className="w-28" /></Field>
        <p className="pb-2 text-xs text-slate-500">Alerts over the limit wait for the next window (not an attempt). Empty: no limit.</p>
      </div>
      {channel && channel.name !== name && <p className="text-xs text-amber-700">Notify blocks name channels: renaming breaks those that use “{channel.name}”.</p>}
      <ErrorNote error={save.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending || !name.trim()} data-testid="channel-save">{channel ? "Save" : "Create channel"}</Button>
        <Button variant="secondary" onClick={() => onDone()}>Cancel</Button>
      </div>
    </form>
  );
}

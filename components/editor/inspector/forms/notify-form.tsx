"use client";
import { NOTIFY_SEVERITIES } from "@/engine/index";
import { Field, inputClass, LinkTarget, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";
import { TemplateInput } from "../template-input";

/** Notify: an alert through a configured channel (Slack, e-mail, SMS, Telegram, webhook). */
export function NotifyForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  return (
    <Section title="Alert">
      <Field label="Channel" error={errors.channel} hint="the name of a configured channel, or {{parameter}}">
        {() => <TemplateInput label="channel" value={text(logic.channel)} onChange={(channel) => patch({ channel }, "channel")} invalid={!!errors.channel} testId="notify-channel" />}
      </Field>
      <Field label="Severity" error={errors.severity}>
        {(id) => (
          <select id={id} className={`${inputClass} w-40 bg-white`} value={text(logic.severity) || "medium"} disabled={readOnly} onChange={(e) => patch({ severity: e.target.value }, "severity")}>
            {NOTIFY_SEVERITIES.map((s) => <option key={s}>{s}</option>)}
          </select>
        )}
      </Field>
      <Field label="Title" error={errors.title}>{() => <TemplateInput label="title" value={text(logic.title)} onChange={(title) => patch({ title }, "title")} />}</Field>
      <Field label="Message" error={errors.message}>{() => <TemplateInput multiline rows={4} label="message" value={text(logic.message)} onChange={(message) => patch({ message }, "message")} invalid={!!errors.message} testId="notify-message" />}</Field>
      <Field label="Send once per" error={errors.dedup_key} hint="optional: alerts of this channel with the same key are sent once, e.g. {{eventID}}; empty: once per task passing the node">
        {() => <TemplateInput label="dedup key" value={text(logic.dedup_key)} onChange={(dedup_key) => patch({ dedup_key: dedup_key || undefined }, "dedup_key")} testId="notify-dedup-key" />}
      </Field>
      <Field label="Extra fields" error={errors.fields}>{() => <ValueMapEditor withTypes={false} keyLabel="field" values={logic.fields as Record<string, unknown>} onChange={(fields) => patch({ fields }, "fields")} />}</Field>
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

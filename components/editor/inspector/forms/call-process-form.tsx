"use client";
import { Checkbox, Field, LinkTarget, ProcessPicker, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";

/** Call a Process: the task waits here until the called process replies (Reply to Process). */
export function CallProcessForm({ logic, patch, errors }: LogicFormProps) {
  return (
    <Section title="Call">
      <ProcessPicker value={logic.conv_id} onChange={(conv_id) => patch({ conv_id }, "conv_id")} error={errors.conv_id} />
      <Checkbox label="Send all parameters" checked={logic.group === "all"} onChange={(all) => patch({ group: all ? "all" : "" }, "group")} />
      <Field label="Parameters to send" error={errors.extra}>
        {() => <ValueMapEditor values={logic.extra as Record<string, unknown>} types={logic.extra_type as Record<string, string>} onChange={(extra, extra_type) => patch({ extra, extra_type }, "extra")} testId="rpc-params" />}
      </Field>
      <p className="text-xs text-slate-500">Give this node a time limit: a called process that never replies would hold the task forever.</p>
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

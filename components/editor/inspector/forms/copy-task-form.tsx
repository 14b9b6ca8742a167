"use client";
import { Checkbox, Field, LinkTarget, ProcessPicker, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { TemplateInput } from "../template-input";

/** Copy Task: an independent task in another process; this task goes on without waiting for it. */
export function CopyTaskForm({ logic, patch, errors }: LogicFormProps) {
  return (
    <Section title="Copy to">
      <ProcessPicker value={logic.conv_id} onChange={(conv_id) => patch({ conv_id }, "conv_id")} error={errors.conv_id} />
      <Field label="Ref of the copy (optional)" error={errors.ref}>{() => <TemplateInput label="ref" value={text(logic.ref)} onChange={(ref) => patch({ ref }, "ref")} placeholder="{{eventID}}" />}</Field>
      <Checkbox label="Copy all parameters" checked={logic.group === "all"} onChange={(all) => patch({ group: all ? "all" : "" }, "group")} />
      <Field label="Parameters to send (win over copied ones)" error={errors.data}>
        {() => <ValueMapEditor values={logic.data as Record<string, unknown>} types={logic.data_type as Record<string, string>} onChange={(data, data_type) => patch({ data, data_type }, "data")} testId="copy-data" />}
      </Field>
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

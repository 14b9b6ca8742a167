"use client";
import { Checkbox, Field, LinkTarget, ProcessPicker, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { TemplateInput } from "../template-input";

/** Modify Task: changes a task waiting (callback or Set State) in another process, found by ref. */
export function ModifyTaskForm({ logic, patch, errors }: LogicFormProps) {
  return (
    <Section title="Modify">
      <ProcessPicker value={logic.conv_id} onChange={(conv_id) => patch({ conv_id }, "conv_id")} error={errors.conv_id} />
      <Field label="Ref of the task to modify" error={errors.ref}>{() => <TemplateInput label="ref" value={text(logic.ref)} onChange={(ref) => patch({ ref }, "ref")} invalid={!!errors.ref} placeholder="{{orderId}}" />}</Field>
      <Field label="Parameters to merge" error={errors.data}>
        {() => <ValueMapEditor values={logic.data as Record<string, unknown>} types={logic.data_type as Record<string, string>} onChange={(data, data_type) => patch({ data, data_type }, "data")} testId="modify-data" />}
      </Field>
      <Checkbox label="Synchronous (the target must be waiting for a callback)" checked={logic.is_sync === true} onChange={(is_sync) => patch({ is_sync }, "is_sync")} />
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

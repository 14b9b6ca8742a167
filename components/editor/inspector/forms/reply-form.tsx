"use client";
import { Checkbox, Field, inputClass, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";
import { TemplateInput } from "../template-input";

/** Reply to Process: answers the process that called this one (values, or a list of task keys). */
export function ReplyForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  const keysMode = logic.mode === "keys";
  return (
    <Section title="Reply">
      <Field label="Reply with" error={errors.mode}>
        {(id) => (
          <select id={id} className={`${inputClass} bg-white`} value={keysMode ? "keys" : "key_value"} disabled={readOnly}
            onChange={(e) => patch(e.target.value === "keys" ? { mode: "keys", res_data: [] } : { mode: "key_value", res_data: {}, res_data_type: {} }, "mode")}>
            <option value="key_value">values</option>
            <option value="keys">task parameters by name</option>
          </select>
        )}
      </Field>
      {keysMode ? (
        <Field label="Parameters (one per line)" error={errors.res_data}>
          {(id) => <textarea id={id} rows={4} className={inputClass} readOnly={readOnly} value={(Array.isArray(logic.res_data) ? logic.res_data : []).join("\n")} onChange={(e) => patch({ res_data: e.target.value.split("\n").map((s) => s.trim()).filter(Boolean) }, "res_data")} />}
        </Field>
      ) : (
        <ValueMapEditor values={(logic.res_data ?? logic.extra) as Record<string, unknown>} types={(logic.res_data_type ?? logic.extra_type) as Record<string, string>} onChange={(res_data, res_data_type) => patch({ res_data, res_data_type }, "res_data")} errors={errors.res_data} testId="reply-data" />
      )}
      <Checkbox label="Reply with an exception (the caller takes its error exit)" checked={logic.throw_exception === true} onChange={(throw_exception) => patch({ throw_exception }, "throw_exception")} />
      {logic.throw_exception === true && (
        <Field label="Exception reason" error={errors.exception_reason}>{() => <TemplateInput label="exception reason" value={text(logic.exception_reason)} onChange={(exception_reason) => patch({ exception_reason }, "exception_reason")} />}</Field>
      )}
    </Section>
  );
}

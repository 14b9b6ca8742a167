"use client";
import { Checkbox, Field, inputClass, LinkTarget, Section } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";

/** Waiting for Callback: the task waits until it is modified (API, Modify Task, callback URL, by hand). */
export function CallbackForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  return (
    <Section title="Callback">
      <Checkbox label="Synchronous (refuse callbacks for tasks not waiting here)" checked={logic.is_sync === true} onChange={(is_sync) => patch({ is_sync }, "is_sync")} />
      <Field label="Path to the task id in a callback body (optional)" error={errors.obj_id_path}>
        {(id) => <input id={id} className={inputClass} value={text(logic.obj_id_path)} readOnly={readOnly} onChange={(e) => patch({ obj_id_path: e.target.value }, "obj_id_path")} />}
      </Field>
      <p className="text-xs text-slate-500">Give it a time limit below: without one a task waits forever if no callback comes.</p>
      <div className="text-xs">When the default limit expires <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

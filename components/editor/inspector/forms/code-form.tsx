"use client";
import { Field, inputClass, LinkTarget, Section } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";

/** Code: JavaScript over the task (`data`), run in a sandbox with a time limit. */
export function CodeForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  return (
    <Section title="Code">
      <Field label="Language" error={errors.lang}>
        {(id) => (
          <select id={id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={text(logic.lang) || "js"} disabled={readOnly} onChange={(e) => patch({ lang: e.target.value }, "lang")}>
            <option value="js">JavaScript</option>
            <option value="erl">Erlang</option>
          </select>
        )}
      </Field>
      <Field label="Source" error={errors.src} hint="The task is the global `data`: change it in place, e.g. data.total = data.a + data.b;">
        {(id) => <textarea id={id} rows={10} spellCheck={false} className={`${inputClass} font-mono text-xs`} value={text(logic.src ?? logic.code)} readOnly={readOnly} onChange={(e) => patch({ src: e.target.value }, "src")} data-testid="code-src" />}
      </Field>
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

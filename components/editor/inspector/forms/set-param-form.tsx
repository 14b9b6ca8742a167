"use client";
import { LinkTarget, Section, ValueMapEditor } from "../fields";
import { text, type LogicFormProps } from "../form-kit";

/** Set Parameter: keys to add or change, each value a template cast to its type. */
export function SetParamForm({ logic, patch, errors }: LogicFormProps) {
  return (
    <Section title="Parameters to set">
      <ValueMapEditor
        values={logic.extra as Record<string, unknown>}
        types={logic.extra_type as Record<string, string>}
        onChange={(extra, extra_type) => patch({ extra, extra_type }, "extra")}
        errors={errors.extra ?? errors.extra_type}
        testId="set-param"
      />
      <p className="text-xs text-slate-500">Values may use {"{{parameter}}"} and $.math(...); a key like a.b writes a nested value.</p>
      <div className="text-xs">On error <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

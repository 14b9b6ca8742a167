"use client";
import { inputClass, Section, SmallButton } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { TemplateInput } from "../template-input";
import { useInspector } from "../inspector-context";

type SumEntry = { id?: string; name?: string; value?: string };

/** Sum: running totals kept in the node (`{{node[id].<SumID>}}`); a constant 1 makes a counter. */
export function SumForm({ logic, patch, errors }: LogicFormProps) {
  const { readOnly } = useInspector();
  const entries = (Array.isArray(logic.extra) ? logic.extra : []) as SumEntry[];
  const set = (i: number, p: SumEntry) => patch({ extra: entries.map((e, j) => (j === i ? { ...e, ...p } : e)) }, `extra-${i}`);
  return (
    <Section title="Sums" actions={<SmallButton onClick={() => patch({ extra: [...entries, { id: "", name: "", value: "1" }] }, "extra-add")}>+ sum</SmallButton>}>
      {entries.map((e, i) => (
        <div key={i} className="flex items-start gap-1">
          <input className={`${inputClass} w-24`} aria-label={`sum id ${i + 1}`} placeholder="SumID" value={text(e.id)} readOnly={readOnly} onChange={(ev) => set(i, { id: ev.target.value })} />
          <input className={`${inputClass} w-24`} aria-label={`sum name ${i + 1}`} placeholder="name" value={text(e.name)} readOnly={readOnly} onChange={(ev) => set(i, { name: ev.target.value })} />
          <div className="min-w-0 flex-1"><TemplateInput label={`value ${i + 1}`} placeholder="{{amount}}" value={text(e.value)} onChange={(value) => set(i, { value })} /></div>
          <SmallButton label={`remove sum ${i + 1}`} tone="danger" onClick={() => patch({ extra: entries.filter((_, j) => j !== i) }, "extra-remove")}>✕</SmallButton>
        </div>
      ))}
      {errors.extra && <p className="text-xs text-red-700" role="alert">{errors.extra}</p>}
    </Section>
  );
}

"use client";
import { Section, ValueMapEditor } from "../fields";
import type { LogicFormProps } from "../form-kit";

/** Queue: tasks wait here until a Get from Queue takes them; these values travel with a taken task. */
export function QueueForm({ logic, patch, errors }: LogicFormProps) {
  return (
    <Section title="Queue">
      <p className="text-xs text-slate-500">Tasks stay in this node until a Get from Queue node takes one (or its time limit fires).</p>
      <ValueMapEditor values={logic.data as Record<string, unknown>} types={logic.data_type as Record<string, string>} onChange={(data, data_type) => patch({ data, data_type }, "data")} errors={errors.data} testId="queue-data" />
    </Section>
  );
}

"use client";
import { TimeLimitFields } from "../semaphors-section";
import { Section } from "../fields";
import type { LogicFormProps } from "../form-kit";

/** Delay: a node with only a time limit; the task waits, then takes the timeout port. */
export function DelayForm({ node, editNode }: LogicFormProps) {
  return (
    <Section title="Wait">
      <TimeLimitFields node={node} editNode={editNode} />
      <p className="text-xs text-slate-500">A number waits that long (at least 30 s); {"{{param}}"} or $.unixtime(...) is a unix time to fire at.</p>
    </Section>
  );
}

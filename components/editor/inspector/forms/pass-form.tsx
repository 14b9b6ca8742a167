"use client";
import { LinkTarget, Section } from "../fields";
import type { LogicFormProps } from "../form-kit";

/** A node that only passes tasks on (a bare go), or one with no logic yet. */
export function PassForm({ node }: LogicFormProps) {
  const go = node.condition.logics.find((l) => l.type === "go") as { to_node_id: string } | undefined;
  return (
    <Section title="Pass on">
      {go ? <div className="text-xs">Next <LinkTarget target={go.to_node_id} kind="next" /></div> : <p className="text-xs text-slate-500">This node has no logic: connect its next port, or delete it.</p>}
    </Section>
  );
}

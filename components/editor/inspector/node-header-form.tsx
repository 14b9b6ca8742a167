"use client";
import { NODE_TYPES, readJsonField, type SchemeNode } from "@/engine/index";
import { Checkbox, Field, inputClass, Section } from "./fields";
import { useInspector } from "./inspector-context";

type EditNode = (fn: (n: SchemeNode) => SchemeNode, key: string) => void;

/** Title and description of any node. */
export function NodeHeaderForm({ node, editNode }: { node: SchemeNode; editNode: EditNode }) {
  const { readOnly } = useInspector();
  return (
    <div className="space-y-2">
      <Field label="Title">
        {(id) => <input id={id} className={inputClass} value={node.title ?? ""} readOnly={readOnly} data-testid="node-title-input" onChange={(e) => editNode((n) => ({ ...n, title: e.target.value }), `${node.id}:title`)} />}
      </Field>
      <Field label="Description">
        {(id) => <textarea id={id} rows={2} className={inputClass} value={node.description ?? ""} readOnly={readOnly} onChange={(e) => editNode((n) => ({ ...n, description: e.target.value }), `${node.id}:description`)} />}
      </Field>
    </div>
  );
}

/** A final node: success or error, and whether its tasks are kept in the archive. */
export function FinalForm({ node, editNode }: { node: SchemeNode; editNode: EditNode }) {
  const { readOnly } = useInspector();
  const extra = readJsonField(node.extra);
  const options = readJsonField(node.options);
  const writeExtra = (patch: Record<string, unknown>) => editNode((n) => ({ ...n, extra: JSON.stringify({ ...readJsonField(n.extra), ...patch }) }), `${node.id}:extra`);
  return (
    <Section title="End">
      <fieldset className="flex gap-4 text-sm" disabled={readOnly}>
        <legend className="sr-only">Outcome</legend>
        {(["success", "error"] as const).map((icon) => (
          <label key={icon} className="flex items-center gap-1">
            <input type="radio" name={`icon-${node.id}`} checked={(extra.icon === "error" ? "error" : "success") === icon} onChange={() => writeExtra({ icon })} data-testid={`final-${icon}`} />
            {icon}
          </label>
        ))}
      </fieldset>
      {node.obj_type === NODE_TYPES.final && (
        <Checkbox label="Keep tasks in the archive" checked={options.save_task !== false}
          onChange={(save_task) => editNode((n) => ({ ...n, options: JSON.stringify({ ...readJsonField(n.options), save_task }) }), `${node.id}:options`)} />
      )}
    </Section>
  );
}

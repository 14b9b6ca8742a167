"use client";
import { Field, inputClass, LinkTarget, ProcessPicker, Section } from "../fields";
import { text, type LogicFormProps } from "../form-kit";
import { useInspector } from "../inspector-context";

/** Get from Queue: takes the oldest (or newest) task waiting in a Queue node. */
export function GetFromQueueForm({ logic, patch, errors }: LogicFormProps) {
  const { scheme, processId, readOnly } = useInspector();
  const here = String(logic.conv_id ?? "") === String(processId);
  const queues = here ? scheme.nodes.filter((n) => n.condition.logics.some((l) => l.type === "api_queue")) : [];
  return (
    <Section title="Take from">
      <ProcessPicker value={logic.conv_id} onChange={(conv_id) => patch({ conv_id }, "conv_id")} error={errors.conv_id} />
      <Field label="Queue node" error={errors.node_id}>
        {(id) => (queues.length > 0 ? (
          <select id={id} className={`${inputClass} bg-white`} value={text(logic.node_id)} disabled={readOnly} onChange={(e) => patch({ node_id: e.target.value }, "node_id")}>
            <option value="">choose…</option>
            {queues.map((q) => <option key={q.id} value={q.id}>{q.title || q.id}</option>)}
          </select>
        ) : <input id={id} className={inputClass} value={text(logic.node_id)} readOnly={readOnly} placeholder="node id" onChange={(e) => patch({ node_id: e.target.value }, "node_id")} />)}
      </Field>
      <Field label="Order" error={errors.order_by}>
        {(id) => (
          <select id={id} className={`${inputClass} bg-white`} value={text(logic.order_by) || "ASC"} disabled={readOnly} onChange={(e) => patch({ order_by: e.target.value }, "order_by")}>
            <option value="ASC">oldest first (FIFO)</option>
            <option value="DESC">newest first (LIFO)</option>
          </select>
        )}
      </Field>
      <div className="text-xs">On error (empty queue) <LinkTarget target={text(logic.err_node_id)} kind="error" /></div>
    </Section>
  );
}

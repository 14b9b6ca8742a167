"use client";
import { TIME_DIMENSIONS, timeSemaphorOf, countSemaphorOf, type SchemeNode } from "@/engine/index";
import { setSemaphors } from "../model/scheme-edit";
import { Checkbox, Field, inputClass, LinkTarget, Section } from "./fields";
import { useInspector } from "./inspector-context";

type Semaphor = NonNullable<SchemeNode["condition"]["semaphors"]>[number];
type EditNode = (fn: (n: SchemeNode) => SchemeNode, key: string) => void;

function replaceSemaphor(n: SchemeNode, type: "time" | "count", next: Semaphor | null): SchemeNode {
  const rest = (n.condition.semaphors ?? []).filter((s) => s.type !== type);
  return setSemaphors(n, next ? [...rest, next] : rest);
}

/** Value and unit of a node's time limit (a number waits; a template is a unix time). */
export function TimeLimitFields({ node, editNode }: { node: SchemeNode; editNode: EditNode }) {
  const { readOnly } = useInspector();
  const time = timeSemaphorOf(node);
  if (!time) return null;
  const set = (p: Partial<Semaphor>) => editNode((n) => replaceSemaphor(n, "time", { ...timeSemaphorOf(n)!, ...p } as Semaphor), `${node.id}:time`);
  return (
    <div className="space-y-1">
      <div className="flex gap-2">
        <Field label="Wait">
          {(id) => <input id={id} className={`${inputClass} w-32`} value={String(time.value)} readOnly={readOnly} data-testid="time-value"
            onChange={(e) => set({ value: /^\d+(\.\d+)?$/.test(e.target.value) ? Number(e.target.value) : e.target.value })} />}
        </Field>
        <Field label="Unit">
          {(id) => (
            <select id={id} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={time.dimension ?? "sec"} disabled={readOnly} onChange={(e) => set({ dimension: e.target.value as "sec" })}>
              {TIME_DIMENSIONS.map((d) => <option key={d}>{d}</option>)}
            </select>
          )}
        </Field>
      </div>
      <div className="text-xs">Then <LinkTarget target={time.to_node_id} kind="time limit (left)" /></div>
    </div>
  );
}

/**
 * Time limit and task counter, which any node except a final may carry:
 * the task leaves by the timeout port when its time in the node is up; a
 * signal task enters the escalation node when the node holds N or more tasks.
 */
export function SemaphorsSection({ node, editNode, showTime = true }: { node: SchemeNode; editNode: EditNode; showTime?: boolean }) {
  const { readOnly } = useInspector();
  const time = timeSemaphorOf(node);
  const count = countSemaphorOf(node);
  return (
    <Section title="Limits">
      {showTime && (
        <>
          <Checkbox label="Time limit in this node" checked={!!time} testId="toggle-time-limit"
            onChange={(on) => editNode((n) => replaceSemaphor(n, "time", on ? ({ type: "time", value: 1, dimension: "hour", to_node_id: "" } as Semaphor) : null), `${node.id}:time-toggle`)} />
          <TimeLimitFields node={node} editNode={editNode} />
        </>
      )}
      <Checkbox label="Task counter (alert when tasks pile up)" checked={!!count} testId="toggle-task-counter"
        onChange={(on) => editNode((n) => replaceSemaphor(n, "count", on ? ({ type: "count", value: 30, esc_node_id: "" } as Semaphor) : null), `${node.id}:count-toggle`)} />
      {count && (
        <div className="space-y-1">
          <Field label="Threshold (tasks)">
            {(id) => <input id={id} type="number" min={1} className={`${inputClass} w-28`} value={String(count.value)} readOnly={readOnly}
              onChange={(e) => editNode((n) => replaceSemaphor(n, "count", { ...countSemaphorOf(n)!, value: Number(e.target.value) } as Semaphor), `${node.id}:count`)} />}
          </Field>
          <div className="text-xs">Signals go to <LinkTarget target={count.esc_node_id} kind="escalation (right)" /></div>
        </div>
      )}
    </Section>
  );
}

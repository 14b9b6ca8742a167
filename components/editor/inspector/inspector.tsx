"use client";
import type { ComponentType } from "react";
import { NODE_TYPES, nodeBlock, type PaletteBlock, type SchemeNode, type ValidationIssue } from "@/engine/index";
import { BLOCK_TITLE } from "../model/summary";
import { logicErrors, type LogicFormProps, type LogicRecord } from "./form-kit";
import { ApiCallForm } from "./forms/api-call-form";
import { CallProcessForm } from "./forms/call-process-form";
import { CallbackForm } from "./forms/callback-form";
import { CodeForm } from "./forms/code-form";
import { ConditionForm } from "./forms/condition-form";
import { CopyTaskForm } from "./forms/copy-task-form";
import { DelayForm } from "./forms/delay-form";
import { GetFromQueueForm } from "./forms/get-from-queue-form";
import { ModifyTaskForm } from "./forms/modify-task-form";
import { NotifyForm } from "./forms/notify-form";
import { PassForm } from "./forms/pass-form";
import { QueueForm } from "./forms/queue-form";
import { ReplyForm } from "./forms/reply-form";
import { SetParamForm } from "./forms/set-param-form";
import { SetStateForm } from "./forms/set-state-form";
import { SumForm } from "./forms/sum-form";
import { FinalForm, NodeHeaderForm } from "./node-header-form";
import { SemaphorsSection } from "./semaphors-section";

/** One form per block type; a block without a form does not compile. */
const FORMS: Record<PaletteBlock, ComponentType<LogicFormProps>> = {
  condition: ConditionForm,
  set_param: SetParamForm,
  api: ApiCallForm,
  code: CodeForm,
  copy_task: CopyTaskForm,
  modify_task: ModifyTaskForm,
  call_process: CallProcessForm,
  reply: ReplyForm,
  sum: SumForm,
  queue: QueueForm,
  get_from_queue: GetFromQueueForm,
  callback: CallbackForm,
  set_state: SetStateForm,
  delay: DelayForm,
  notify: NotifyForm,
  go: PassForm,
  empty: PassForm,
};

export interface InspectorProps {
  node: SchemeNode;
  issues: ValidationIssue[];
  editNode(fn: (n: SchemeNode) => SchemeNode, key: string): void;
}

/** The selected node's settings: its title, its block's form (validated by the block's own schema) and its limits. */
export function Inspector({ node, issues, editNode }: InspectorProps) {
  const block = nodeBlock(node);
  const isStart = node.obj_type === NODE_TYPES.start;
  const isFinal = node.obj_type === NODE_TYPES.final;
  const index = Math.max(0, node.condition.logics.findIndex((l) => l.type !== "go" && l.type !== "go_if_const"));
  const logic = (node.condition.logics[index] ?? { type: "go", to_node_id: "" }) as LogicRecord;
  const Form = block ? FORMS[block] : null;
  const props: LogicFormProps = {
    node,
    index,
    logic,
    errors: logicErrors(logic),
    patch: (p, field) => editNode((n) => ({ ...n, condition: { ...n.condition, logics: n.condition.logics.map((l, i) => (i === index ? ({ ...l, ...p } as typeof l) : l)) } }), `${node.id}:${index}:${field}`),
    editNode,
  };
  const kindTitle = isStart ? "Start" : isFinal ? "Final" : node.obj_type === NODE_TYPES.escalation ? `Escalation · ${BLOCK_TITLE[block ?? ""] ?? block}` : (BLOCK_TITLE[block ?? ""] ?? block);
  return (
    <div className="space-y-3" data-testid="inspector" data-node-id={node.id}>
      <div className="text-xs font-semibold uppercase tracking-wide text-slate-500">{kindTitle}</div>
      {issues.length > 0 && (
        <ul className="space-y-1" data-testid="inspector-issues">
          {issues.map((i, n) => (
            <li key={n} className={`rounded px-2 py-1 text-xs ${i.severity === "error" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-800"}`}>{i.message}</li>
          ))}
        </ul>
      )}
      <NodeHeaderForm node={node} editNode={editNode} />
      {isFinal && <FinalForm node={node} editNode={editNode} />}
      {Form && !isStart && !isFinal && <Form {...props} />}
      {!isStart && !isFinal && <SemaphorsSection node={node} editNode={editNode} showTime={block !== "delay"} />}
    </div>
  );
}

"use client";
import { Handle, Position, type NodeProps, type Node } from "@xyflow/react";
import { memo } from "react";
import type { NodeKind } from "./types";

export type BlockNodeData = { title: string; kind: NodeKind; block: string | null; count: number };
export type BlockFlowNode = Node<BlockNodeData, "block">;

const KIND_STYLE: Record<NodeKind, string> = {
  start: "border-emerald-500 bg-emerald-50",
  normal: "border-slate-300 bg-white",
  "final-success": "border-emerald-600 bg-emerald-600 text-white",
  "final-error": "border-red-600 bg-red-600 text-white",
  escalation: "border-slate-400 bg-slate-100",
};

const KIND_LABEL: Record<NodeKind, string> = {
  start: "Start",
  normal: "",
  "final-success": "Final",
  "final-error": "Final · error",
  escalation: "Escalation",
};

/** The one generic block node: title, block type and the live task count. */
export const BlockNode = memo(function BlockNode({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const compact = data.kind !== "normal" && data.kind !== "escalation";
  return (
    <div
      className={`rounded-lg border-2 px-3 py-2 shadow-sm ${KIND_STYLE[data.kind]} ${selected ? "ring-2 ring-brand-500" : ""} ${compact ? "min-w-36" : "min-w-48"}`}
      data-testid={`node-${id}`}
    >
      {data.kind !== "start" && <Handle type="target" position={Position.Top} className="!h-2 !w-2 !bg-slate-500" />}
      <div className="flex items-center gap-2">
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium">{data.title || "(untitled)"}</div>
          <div className={`text-[11px] uppercase tracking-wide ${compact ? "opacity-80" : "text-slate-500"}`}>{data.block ?? KIND_LABEL[data.kind]}</div>
        </div>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-semibold tabular-nums ${data.kind.startsWith("final") ? "bg-white/25" : "bg-slate-900/80 text-white"}`}
          data-testid={`node-count-${id}`}
          title="tasks in this node"
        >
          {data.count}
        </span>
      </div>
      {!data.kind.startsWith("final") && <Handle type="source" position={Position.Bottom} className="!h-2 !w-2 !bg-slate-500" />}
    </div>
  );
});

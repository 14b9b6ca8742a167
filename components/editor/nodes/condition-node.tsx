"use client";
import { Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { FlowNode } from "../types";
import { CountBadge, frameRing, IssueMarker, PORT_COLOR, PortHandle, TargetHandle } from "./node-parts";

/**
 * A condition: one output per branch, in order (the first that matches
 * wins), then the default ("otherwise"), each a row with its port on the
 * right. Other ports of the node (errors, time limit, counter) follow as rows.
 */
export const ConditionNode = memo(function ConditionNode({ id, data, selected }: NodeProps<FlowNode>) {
  const escalation = data.kind === "escalation";
  return (
    <div
      className={`relative w-64 rounded-lg border-2 shadow-sm ${escalation ? "border-dashed border-slate-400 bg-slate-100" : "border-blue-300 bg-white"} ${frameRing(data, selected)}`}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-block="condition"
      data-path={data.onPath ? "true" : undefined}
    >
      <TargetHandle nodeId={id} />
      <IssueMarker nodeId={id} issues={data.issues} />
      <div className="flex items-start gap-2 px-3 pt-2">
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium" data-testid={`node-title-${id}`}>{data.node.title || "(untitled)"}</div>
          <div className="text-[11px] uppercase tracking-wide text-slate-500">{escalation ? "Escalation · condition" : "Condition"}</div>
        </div>
        <CountBadge nodeId={id} />
      </div>
      <ol className="mt-1 divide-y divide-slate-100 border-t border-slate-100 text-xs">
        {data.ports.map((p, i) => (
          <li key={p.handle} className="relative flex items-center gap-1.5 py-1 pl-3 pr-4" data-testid={`port-row-${id}-${p.handle}`}>
            <span className="h-2 w-2 shrink-0 rounded-full" style={{ background: PORT_COLOR[p.kind] }} aria-hidden />
            <span className={`truncate ${p.kind === "condition" ? "text-slate-800" : "italic text-slate-500"}`} title={p.label}>
              {p.kind === "condition" ? `${i + 1}. ${p.label}` : p.label}
            </span>
            <PortHandle nodeId={id} handle={p.handle} kind={p.kind} label={p.label} position={Position.Right} />
          </li>
        ))}
      </ol>
    </div>
  );
});

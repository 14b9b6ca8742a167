"use client";
import { Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { BLOCK_TITLE } from "../model/summary";
import type { FlowNode } from "../types";
import { CountBadge, frameRing, IssueMarker, PortHandle, TargetHandle } from "./node-parts";

/**
 * The one generic block node: title, block type and what it does, the live
 * count, and its ports — next at the bottom (the main lane runs down),
 * errors and the task-counter escalation on the right, the time limit on
 * the left. Escalation nodes (obj_type 3) are drawn grey and dashed.
 */
export const BlockNode = memo(function BlockNode({ id, data, selected }: NodeProps<FlowNode>) {
  const escalation = data.kind === "escalation";
  const side = data.ports.filter((p) => p.kind === "error" || p.kind === "escalation");
  const timeout = data.ports.find((p) => p.kind === "timeout");
  const next = data.ports.find((p) => p.kind === "next");
  return (
    <div
      className={`relative w-56 rounded-lg border-2 px-3 py-2 shadow-sm ${escalation ? "border-dashed border-slate-400 bg-slate-100" : "border-slate-300 bg-white"} ${frameRing(data, selected)}`}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-block={data.block ?? ""}
      data-path={data.onPath ? "true" : undefined}
    >
      <TargetHandle nodeId={id} />
      <IssueMarker nodeId={id} issues={data.issues} />
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium" data-testid={`node-title-${id}`}>{data.node.title || "(untitled)"}</div>
          <div className="truncate text-[11px] uppercase tracking-wide text-slate-500">{escalation ? "Escalation" : (BLOCK_TITLE[data.block ?? ""] ?? data.block)}</div>
          {data.summary && <div className="truncate text-xs text-slate-600" title={data.summary}>{data.summary}</div>}
        </div>
        <CountBadge nodeId={id} />
      </div>
      {side.map((p, i) => (
        <PortHandle key={p.handle} nodeId={id} handle={p.handle} kind={p.kind} label={p.label} position={Position.Right} style={{ top: `${((i + 1) * 100) / (side.length + 1)}%` }} />
      ))}
      {timeout && <PortHandle nodeId={id} handle="timeout" kind="timeout" label={timeout.label} position={Position.Left} />}
      {next && <PortHandle nodeId={id} handle="next" kind="next" label={next.label} position={Position.Bottom} />}
    </div>
  );
});

"use client";
import { Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { FlowNode } from "../types";
import { CountBadge, frameRing, IssueMarker, PortHandle, TargetHandle } from "./node-parts";

/** Start: where every task enters; one exit. */
export const StartNode = memo(function StartNode({ id, data, selected }: NodeProps<FlowNode>) {
  const next = data.ports.find((p) => p.handle === "next");
  return (
    <div
      className={`relative flex min-w-32 items-center gap-2 rounded-full border-2 border-emerald-500 bg-emerald-50 px-4 py-2 shadow-sm ${frameRing(data, selected)}`}
      data-testid={`node-${id}`}
      data-kind="start"
      data-path={data.onPath ? "true" : undefined}
    >
      <IssueMarker nodeId={id} issues={data.issues} />
      <span className="text-emerald-700" aria-hidden>▶</span>
      <span className="flex-1 truncate text-sm font-semibold text-emerald-900" data-testid={`node-title-${id}`}>{data.node.title || "Start"}</span>
      <CountBadge nodeId={id} />
      {next && <PortHandle nodeId={id} handle="next" kind="next" label="next" position={Position.Bottom} />}
    </div>
  );
});

/** Final: a task ends here (green success, red error); the count is a running total. */
export const FinalNode = memo(function FinalNode({ id, data, selected }: NodeProps<FlowNode>) {
  const error = data.kind === "final-error";
  return (
    <div
      className={`relative flex min-w-36 max-w-56 items-center gap-2 rounded-full border-2 px-4 py-2 text-white shadow-sm ${error ? "border-red-700 bg-red-600" : "border-emerald-700 bg-emerald-600"} ${frameRing(data, selected)}`}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-path={data.onPath ? "true" : undefined}
    >
      <TargetHandle nodeId={id} />
      <IssueMarker nodeId={id} issues={data.issues} />
      <span aria-hidden>{error ? "✕" : "✓"}</span>
      <span className="flex-1 truncate text-sm font-semibold" data-testid={`node-title-${id}`}>{data.node.title || (error ? "Error" : "Final")}</span>
      <CountBadge nodeId={id} tone="light" />
    </div>
  );
});

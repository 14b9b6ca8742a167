"use client";
import { Handle, Position } from "@xyflow/react";
import type { CSSProperties } from "react";
import { useCanvas, useNodeCount } from "../canvas-context";
import type { EdgeKind } from "@/engine/index";
import type { FlowNodeData } from "../types";

/** Port colours match the edges that leave them (see edge styles in flow-canvas). */
export const PORT_COLOR: Record<EdgeKind, string> = {
  next: "#475569",
  condition: "#2563eb",
  error: "#dc2626",
  timeout: "#d97706",
  escalation: "#7c3aed",
};

export function TargetHandle({ nodeId }: { nodeId: string }) {
  return <Handle type="target" id="in" position={Position.Top} className="!h-2.5 !w-2.5 !border-2 !border-white !bg-slate-500" data-testid={`handle-${nodeId}-in`} />;
}

export function PortHandle({ nodeId, handle, kind, position, style, label }: { nodeId: string; handle: string; kind: EdgeKind; position: Position; style?: CSSProperties; label: string }) {
  const { editable } = useCanvas();
  return (
    <Handle
      type="source"
      id={handle}
      position={position}
      isConnectable={editable}
      title={`${label}: drag to connect`}
      aria-label={`${label} port`}
      className="!h-3 !w-3 !border-2 !border-white"
      style={{ background: PORT_COLOR[kind], ...style }}
      data-testid={`handle-${nodeId}-${handle}`}
    />
  );
}

/** The live task count; a final node's is its running total. */
export function CountBadge({ nodeId, tone = "dark" }: { nodeId: string; tone?: "dark" | "light" }) {
  const count = useNodeCount(nodeId);
  const { showCounts } = useCanvas();
  if (!showCounts) return null;
  return (
    <span
      className={`rounded-full px-2 py-0.5 text-xs font-semibold tabular-nums ${tone === "light" ? "bg-white/25" : count > 0 ? "bg-slate-900/80 text-white" : "bg-slate-200 text-slate-600"}`}
      data-testid={`node-count-${nodeId}`}
      title="tasks in this node"
    >
      {count}
    </span>
  );
}

export function IssueMarker({ nodeId, issues }: { nodeId: string; issues: FlowNodeData["issues"] }) {
  if (!issues || issues.errors + issues.warnings === 0) return null;
  const error = issues.errors > 0;
  return (
    <span
      className={`absolute -right-2 -top-2 flex h-5 min-w-5 items-center justify-center rounded-full px-1 text-[11px] font-bold text-white shadow ${error ? "bg-red-600" : "bg-amber-500"}`}
      title={issues.messages.join("\n")}
      role="img"
      aria-label={`${issues.errors} error(s), ${issues.warnings} warning(s): ${issues.messages.join("; ")}`}
      data-testid={`node-issues-${nodeId}`}
    >
      {error ? issues.errors : "!"}
    </span>
  );
}

/** Ring classes for selection, problems and a highlighted path. */
export function frameRing(data: FlowNodeData, selected: boolean): string {
  if (data.current) return "ring-4 ring-amber-500";
  if (data.onPath) return "ring-4 ring-amber-300";
  if (selected) return "ring-2 ring-brand-500";
  if (data.issues?.errors) return "ring-2 ring-red-500";
  return "";
}

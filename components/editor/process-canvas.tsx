"use client";
import { Background, Controls, MarkerType, MiniMap, ReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { BlockNode, type BlockFlowNode } from "./block-node";
import type { CanvasEdge, CanvasNode, EdgeKind } from "./types";
import { useNodeCounts } from "./use-node-counts";

const nodeTypes = { block: BlockNode };

const EDGE_STYLE: Record<EdgeKind, { stroke: string; dash?: string }> = {
  next: { stroke: "#475569" },
  condition: { stroke: "#2563eb" },
  error: { stroke: "#dc2626", dash: "6 4" },
  timeout: { stroke: "#d97706", dash: "2 4" },
  escalation: { stroke: "#7c3aed", dash: "8 3 2 3" },
};

const MINIMAP_COLOR: Record<CanvasNode["kind"], string> = {
  start: "#10b981",
  normal: "#94a3b8",
  "final-success": "#059669",
  "final-error": "#dc2626",
  escalation: "#64748b",
};

/** Read-only live view of a process: nodes with their task counts, refreshed every second. */
export function ProcessCanvas({ processId, nodes, edges }: { processId: number; nodes: CanvasNode[]; edges: CanvasEdge[] }) {
  const counts = useNodeCounts(processId);
  const flowNodes = useMemo<BlockFlowNode[]>(
    () => nodes.map((n) => ({ id: n.id, type: "block", position: { x: n.x, y: n.y }, data: { title: n.title, kind: n.kind, block: n.block, count: counts.data?.[n.id] ?? 0 } })),
    [nodes, counts.data],
  );
  const flowEdges = useMemo<Edge[]>(
    () =>
      edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        data: { kind: e.kind },
        style: { stroke: EDGE_STYLE[e.kind].stroke, strokeDasharray: EDGE_STYLE[e.kind].dash, strokeWidth: 1.5 },
        markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_STYLE[e.kind].stroke },
        labelStyle: { fontSize: 11 },
      })),
    [edges],
  );
  return (
    <div className="h-full w-full" data-testid="process-canvas">
      <ReactFlow nodes={flowNodes} edges={flowEdges} nodeTypes={nodeTypes} fitView fitViewOptions={{ maxZoom: 1, padding: 0.2 }} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
        <Background gap={16} />
        <MiniMap pannable zoomable nodeColor={(n) => MINIMAP_COLOR[(n.data as { kind: CanvasNode["kind"] }).kind]} nodeStrokeWidth={2} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {counts.isError && (
        <div role="status" className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded bg-amber-100 px-3 py-1 text-sm text-amber-800">
          Live counts unavailable: {(counts.error as Error).message}
        </div>
      )}
    </div>
  );
}

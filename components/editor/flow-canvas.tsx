"use client";
import {
  applyEdgeChanges, applyNodeChanges, Background, Controls, MiniMap, ReactFlow, useReactFlow,
  type Connection, type EdgeChange, type NodeChange, type OnSelectionChangeParams,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useState, type DragEvent } from "react";
import type { NodeKind, ProcessScheme } from "@/engine/index";
import { CanvasContext } from "./canvas-context";
import { buildFlowEdges, buildFlowNodes, type Highlight } from "./flow-graph";
import type { NewNodeKind } from "./model/scheme-edit";
import { BlockNode } from "./nodes/block-node";
import { ConditionNode } from "./nodes/condition-node";
import { FinalNode, StartNode } from "./nodes/terminal-nodes";
import type { FlowEdge, FlowNode, NodeIssues } from "./types";
import type { KeyedStore } from "./value-store";

const nodeTypes = { block: BlockNode, condition: ConditionNode, start: StartNode, final: FinalNode };

/** The MIME type the palette drags: the block (or node kind) to add. */
export const PALETTE_DRAG_TYPE = "application/x-conveyor-block";

const MINIMAP_COLOR: Record<NodeKind, string> = {
  start: "#10b981",
  normal: "#94a3b8",
  "final-success": "#059669",
  "final-error": "#dc2626",
  escalation: "#64748b",
};

export interface CanvasEdits {
  connect(c: { source: string; handle: string; target: string }): void;
  remove(r: { nodeIds: string[]; edgeIds: string[] }): void;
  move(positions: Record<string, { x: number; y: number }>): void;
  drop(kind: NewNodeKind, position: { x: number; y: number }): void;
}

export interface FlowCanvasProps {
  scheme: ProcessScheme;
  editable: boolean;
  issues: Map<string, NodeIssues>;
  highlight: Highlight | null;
  counts: KeyedStore<number>;
  showCounts: boolean;
  edits?: CanvasEdits;
  /** Nodes to select (after a paste); `seq` changes to apply the same ids again. */
  select?: { ids: string[]; seq: number };
  onNodeClick?(nodeId: string): void;
  onSelectionChange?(nodeIds: string[]): void;
  onPaneClick?(): void;
}

/**
 * The React Flow canvas over a scheme. Positions live in React Flow while a
 * node is dragged (60 fps without touching the document) and are written to
 * the scheme once, when the drag ends (one undo step). Connecting a port,
 * deleting nodes or edges and dropping palette blocks call `edits`.
 */
export function FlowCanvas({ scheme, editable, issues, highlight, counts, showCounts, edits, select, onNodeClick, onSelectionChange, onPaneClick }: FlowCanvasProps) {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [nodes, setNodes] = useState<FlowNode[]>(() => buildFlowNodes(scheme, [], issues, highlight, editable));
  const [edges, setEdges] = useState<FlowEdge[]>(() => buildFlowEdges(scheme, [], highlight, editable));

  useEffect(() => setNodes((prev) => buildFlowNodes(scheme, prev, issues, highlight, editable)), [scheme, issues, highlight, editable]);
  useEffect(() => setEdges((prev) => buildFlowEdges(scheme, prev, highlight, editable)), [scheme, highlight, editable]);
  useEffect(() => {
    if (!select) return;
    const wanted = new Set(select.ids);
    setNodes((prev) => prev.map((n) => (n.selected === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })));
  }, [select]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    // Removals come back through the scheme (onDelete); everything else (drag, select, measure) is React Flow's.
    setNodes((nds) => applyNodeChanges(changes.filter((c) => c.type !== "remove"), nds));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => setEdges((eds) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), eds)), []);

  const onConnect = useCallback((c: Connection) => {
    if (c.source && c.target && c.sourceHandle) edits?.connect({ source: c.source, handle: c.sourceHandle, target: c.target });
  }, [edits]);

  const onDelete = useCallback(({ nodes: ns, edges: es }: { nodes: FlowNode[]; edges: FlowEdge[] }) => {
    edits?.remove({ nodeIds: ns.map((n) => n.id), edgeIds: es.map((e) => e.id) });
  }, [edits]);

  const onNodeDragStop = useCallback((_: unknown, _node: FlowNode, dragged: FlowNode[]) => {
    edits?.move(Object.fromEntries(dragged.map((n) => [n.id, n.position])));
  }, [edits]);

  // Dragging the box around a selection moves the same nodes.
  const onSelectionDragStop = useCallback((_: unknown, dragged: FlowNode[]) => {
    edits?.move(Object.fromEntries(dragged.map((n) => [n.id, n.position])));
  }, [edits]);

  const onSelection = useCallback(({ nodes: ns }: OnSelectionChangeParams<FlowNode, FlowEdge>) => onSelectionChange?.(ns.map((n) => n.id)), [onSelectionChange]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!editable || !e.dataTransfer.types.includes(PALETTE_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, [editable]);

  const onDrop = useCallback((e: DragEvent) => {
    const kind = e.dataTransfer.getData(PALETTE_DRAG_TYPE) as NewNodeKind;
    if (!editable || !kind || !edits) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    // Drop point = the node's top centre, where the operator aimed.
    edits.drop(kind, { x: p.x - 110, y: p.y - 20 });
  }, [editable, edits, flow]);

  return (
    <CanvasContext.Provider value={{ counts, editable, showCounts }}>
      <div className="h-full w-full" data-testid="process-canvas" data-editable={editable ? "true" : "false"} onDragOver={onDragOver} onDrop={onDrop}>
        <ReactFlow<FlowNode, FlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onDelete={onDelete}
          onNodeDragStop={onNodeDragStop}
          onSelectionDragStop={onSelectionDragStop}
          onSelectionChange={onSelection}
          onNodeClick={(_, n) => onNodeClick?.(n.id)}
          onPaneClick={() => onPaneClick?.()}
          nodesDraggable={editable}
          nodesConnectable={editable}
          elementsSelectable
          deleteKeyCode={editable ? ["Delete", "Backspace"] : null}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          selectionKeyCode="Shift"
          fitView
          fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
          minZoom={0.02}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={16} />
          <MiniMap pannable zoomable style={{ width: 160, height: 110 }} nodeColor={(n) => MINIMAP_COLOR[(n.data as FlowNode["data"]).kind]} nodeStrokeWidth={2} ariaLabel="Overview of the process" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </CanvasContext.Provider>
  );
}

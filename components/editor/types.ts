/** What the canvas renders: React Flow nodes and edges derived from the scheme. */
import type { Edge, Node } from "@xyflow/react";
import type { EdgeKind, NodeKind, PaletteBlock, SchemeNode } from "@/engine/index";
import type { PortSpec } from "./model/ports";

export type { EdgeKind, NodeKind };

export interface NodeIssues {
  errors: number;
  warnings: number;
  messages: string[];
}

export type FlowNodeData = {
  node: SchemeNode;
  kind: NodeKind;
  block: PaletteBlock | null;
  ports: PortSpec[];
  summary: string;
  issues: NodeIssues | null;
  /** On the highlighted path (a task's history or a dry run). */
  onPath: boolean;
  /** Where the highlighted task is now. */
  current: boolean;
};

export type FlowNodeType = "start" | "final" | "block" | "condition";
export type FlowNode = Node<FlowNodeData, FlowNodeType>;
export type FlowEdge = Edge<{ kind: EdgeKind; onPath: boolean }>;

/** DTOs the canvas renders: computed on the server from the stored scheme. */
export type NodeKind = "start" | "normal" | "final-success" | "final-error" | "escalation";

export interface CanvasNode {
  id: string;
  title: string;
  kind: NodeKind;
  /** The block type of a normal node (condition, set parameter, ...). */
  block: string | null;
  x: number;
  y: number;
}

export type EdgeKind = "next" | "condition" | "error" | "timeout" | "escalation";

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;
}

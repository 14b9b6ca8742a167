/**
 * What the dashboard pages receive from the server (plain DTOs; the zod
 * schemas that validate widgets live in server/dashboards/widgets.ts).
 */

export type NodeKind = "start" | "normal" | "final-success" | "final-error" | "escalation";
export type Bucket = "minute" | "hour" | "day";
export type Measure = "level" | "increase";

interface WidgetBase {
  id: string;
  title: string;
  width: number;
}

export type Widget =
  | (WidgetBase & { type: "count"; processId: number; nodeId: string })
  | (WidgetBase & { type: "chart"; processId: number; nodeIds: string[]; chart: "line" | "bar"; bucket: Bucket; span?: number; measure: "auto" | Measure })
  | (WidgetBase & { type: "funnel"; processId: number; nodeIds: string[]; period: "total" | "hour" | "day" | "week" })
  | (WidgetBase & { type: "sum"; processId: number; nodeId: string; sumId?: string })
  | (WidgetBase & { type: "alerts"; processId: number | null; limit: number });

export type StoredWidget = Widget | (WidgetBase & { type: "invalid"; problem: string; raw: unknown });
export type WidgetType = Widget["type"];

export interface Dashboard {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  revision: number;
  widgets: StoredWidget[];
  updatedAt: string;
}

export interface DashboardListItem {
  id: number;
  title: string;
  description: string;
  folderId: number | null;
  widgets: number;
  updatedAt: string;
}

export interface Folder {
  id: number;
  name: string;
  parentId: number | null;
}

export interface NodeLabel {
  id: string;
  title: string;
  kind: NodeKind | "missing";
}

export interface AlertRow {
  id: number;
  at: string;
  severity: string;
  title: string;
  channel: string;
  status: string;
  processId: number | null;
  process: string | null;
}

export type WidgetData =
  | { type: "count"; node: NodeLabel; value: number }
  | { type: "chart"; bucket: Bucket; times: number[]; series: Array<{ node: NodeLabel; measure: Measure; values: number[] }> }
  | { type: "funnel"; period: string; stages: Array<{ node: NodeLabel; value: number }> }
  | { type: "sum"; node: NodeLabel; sums: Array<{ id: string; name: string; value: number }> }
  | { type: "alerts"; alerts: AlertRow[] }
  | { type: "error"; message: string };

export interface DashboardData {
  revision: number;
  at: number;
  processes: Record<string, { title: string }>;
  widgets: Record<string, WidgetData>;
}

export interface CatalogProcess {
  id: number;
  title: string;
  folderId: number | null;
  publishedVersion: number | null;
  nodes: Array<{ id: string; title: string; kind: NodeKind; sums: Array<{ id: string; name: string }>; threshold: number | null }>;
}

export const SPAN_DEFAULTS: Record<Bucket, { max: number; default: number }> = { minute: { max: 1440, default: 60 }, hour: { max: 744, default: 24 }, day: { max: 366, default: 30 } };

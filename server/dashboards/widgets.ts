import { z } from "zod";

/**
 * A dashboard's widgets, in display order. Each binds to nodes of one
 * process (the recent-alerts table to a process or to all). Validated where
 * they enter (the dashboard API) and again where they are read, so a widget
 * stored by an older version that no longer parses shows as an error in its
 * own tile instead of breaking the dashboard.
 */

const processId = z.number().int().positive();
const nodeId = z.string().trim().min(1, "pick a node").max(128);
const common = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "letters, digits, _ and - (1-40)"),
  title: z.string().trim().max(120).default(""),
  /** Columns the tile spans on a 4-column grid. */
  width: z.number().int().min(1).max(4).default(1),
};

export const BUCKETS = ["minute", "hour", "day"] as const;
/** How many buckets a chart may show, and shows by default: an hour by minute, a day by hour, a month by day. */
export const SPAN_LIMITS = { minute: { max: 1440, default: 60 }, hour: { max: 24 * 31, default: 24 }, day: { max: 366, default: 30 } } as const;

export const countWidgetSchema = z.object({ ...common, type: z.literal("count"), processId, nodeId });

export const chartWidgetSchema = z
  .object({
    ...common,
    type: z.literal("chart"),
    processId,
    nodeIds: z.array(nodeId).min(1, "pick at least one node").max(8, "at most 8 nodes per chart"),
    chart: z.enum(["line", "bar"]).default("line"),
    bucket: z.enum(BUCKETS).default("minute"),
    span: z.number().int().min(2).optional(),
    /** level: tasks in the node; increase: tasks that arrived per bucket; auto: increase for final nodes, level for the others. */
    measure: z.enum(["auto", "level", "increase"]).default("auto"),
  })
  .refine((w) => w.span === undefined || w.span <= SPAN_LIMITS[w.bucket].max, { path: ["span"], message: "too many buckets for this bucket size" });

export const funnelWidgetSchema = z.object({
  ...common,
  type: z.literal("funnel"),
  processId,
  nodeIds: z.array(nodeId).min(2, "a funnel needs at least two nodes").max(10),
  /** total: the counters now; hour/day/week: what each counter gained over that period. */
  period: z.enum(["total", "hour", "day", "week"]).default("total"),
});

export const sumWidgetSchema = z.object({ ...common, type: z.literal("sum"), processId, nodeId, sumId: z.string().trim().max(128).optional() });

export const alertsWidgetSchema = z.object({ ...common, type: z.literal("alerts"), processId: processId.nullable().default(null), limit: z.number().int().min(1).max(50).default(10) });

export const widgetSchema = z.discriminatedUnion("type", [countWidgetSchema, chartWidgetSchema, funnelWidgetSchema, sumWidgetSchema, alertsWidgetSchema]);
export type Widget = z.infer<typeof widgetSchema>;
export type WidgetType = Widget["type"];

export const widgetsSchema = z
  .array(widgetSchema)
  .max(40, "at most 40 widgets per dashboard")
  .superRefine((ws, ctx) => {
    const seen = new Set<string>();
    ws.forEach((w, i) => {
      if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `widget id ${w.id} is used twice` });
      seen.add(w.id);
    });
  });

/** The process ids a set of widgets reads. */
export function widgetProcessIds(widgets: Widget[]): number[] {
  return [...new Set(widgets.flatMap((w) => (w.processId ? [w.processId] : [])))];
}

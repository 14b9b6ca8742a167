/**
 * Semaphors hang on any node: `time` (a time limit: move to `to_node_id` when it expires;
 * a node with only this is a Delay) and `count` (task counter: start/stop signal tasks in
 * `esc_node_id` when the node's task count crosses `value`; the counted tasks do not move).
 */
import { z } from "zod";

export const TIME_DIMENSIONS = ["sec", "min", "hour", "day"] as const;

export const timeSemaphorSchema = z.looseObject({
  type: z.literal("time"),
  /** A number (or numeric text) is relative; a `{{param}}`/`$.unixtime(...)` value is an absolute unix time. */
  value: z.union([z.number(), z.string()]),
  dimension: z.enum(TIME_DIMENSIONS).optional(),
  to_node_id: z.string(),
});

export const countSemaphorSchema = z.looseObject({
  type: z.literal("count"),
  value: z.union([z.number(), z.string()]),
  esc_node_id: z.string(),
});

export const semaphorSchema = z.discriminatedUnion("type", [timeSemaphorSchema, countSemaphorSchema]);

export type TimeSemaphor = z.infer<typeof timeSemaphorSchema>;
export type CountSemaphor = z.infer<typeof countSemaphorSchema>;
export type Semaphor = z.infer<typeof semaphorSchema>;

export const DIMENSION_SECONDS: Record<(typeof TIME_DIMENSIONS)[number], number> = { sec: 1, min: 60, hour: 3600, day: 86400 };

import { z } from "zod";
import { NOTIFY_SEVERITIES, renderTemplate, TemplateError, toText, type TemplateScope } from "../../engine/index.ts";
import type { Pool } from "../db/pool.ts";
import { AppError } from "../errors.ts";
import { CHANNEL_TYPES } from "./channel-types.ts";
import { sortedFields } from "./deliver-alert.ts";
import { previewPayload, type AlertContent } from "./formats.ts";
import { taskUrl } from "./links.ts";

/**
 * Renders a notify block's templates (title, message, fields: the engine's
 * template language, exactly as the engine renders them) against a sample
 * task, and shows what each channel type would receive.
 */
export const previewInputSchema = z.object({
  title: z.string().max(2000).default(""),
  message: z.string().max(20_000),
  severity: z.enum(NOTIFY_SEVERITIES).default("medium"),
  fields: z.record(z.string().max(200), z.string().max(2000)).default({}),
  /** A real task (by id), the newest task of a process, or task data typed in. */
  sample: z.union([
    z.object({ taskId: z.string().uuid() }).strict(),
    z.object({ processId: z.number().int().positive() }).strict(),
    z.object({ data: z.record(z.string(), z.unknown()) }).strict(),
  ]),
  channelType: z.enum(CHANNEL_TYPES).optional(),
}).strict();
export type PreviewInput = z.infer<typeof previewInputSchema>;

export interface PreviewResult {
  sample: { taskId: string | null; processId: number | null; data: Record<string, unknown> };
  title: string;
  message: string;
  severity: string;
  fields: Record<string, string>;
  /** What each channel type (or the one asked for) would receive. */
  payloads: Partial<Record<(typeof CHANNEL_TYPES)[number], unknown>>;
}

type TaskRow = { id: string; process_id: number; ref: string | null; node_id: string; prev_node_id: string | null; data: Record<string, unknown>; created_at: Date; changed_at: Date };

async function loadSample(pool: Pool, sample: PreviewInput["sample"]): Promise<TaskRow | null> {
  if ("data" in sample) return null;
  const cols = "id, process_id, ref, node_id, prev_node_id, data, created_at, changed_at";
  const { rows } = "taskId" in sample
    ? await pool.query<TaskRow>(`SELECT ${cols} FROM task WHERE id = $1`, [sample.taskId])
    : await pool.query<TaskRow>(`SELECT ${cols} FROM task WHERE process_id = $1 ORDER BY created_at DESC LIMIT 1`, [sample.processId]);
  if (!rows[0]) throw new AppError("not_found", "taskId" in sample ? "no such task" : `process ${sample.processId} has no task yet; type sample data instead`);
  return rows[0];
}

export async function renderPreview({ pool, input, appUrl, nowMs = Date.now() }: { pool: Pool; input: PreviewInput; appUrl: string; nowMs?: number }): Promise<PreviewResult> {
  const task = await loadSample(pool, input.sample);
  const data = task ? task.data : (input.sample as { data: Record<string, unknown> }).data;
  const sec = (d: Date) => Math.floor(d.getTime() / 1000);
  const scope: TemplateScope = {
    data: data as TemplateScope["data"],
    root: {
      task_id: task?.id ?? "00000000-0000-0000-0000-000000000000", ref: task?.ref ?? null, conv_id: String(task?.process_id ?? 0), node_id: task?.node_id ?? "preview",
      prev_node_id: task?.prev_node_id ?? null, create_time: sec(task?.created_at ?? new Date(nowMs)), change_time: sec(task?.changed_at ?? new Date(nowMs)),
    },
    processId: String(task?.process_id ?? 0),
    lookup: {},
    nowMs,
    random: Math.random,
  };
  const render = (what: string, template: string) => {
    try {
      return renderTemplate(template, scope);
    } catch (err) {
      if (err instanceof TemplateError) throw new AppError("bad_request", `${what}: ${err.message}`);
      throw err;
    }
  };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.fields)) fields[render(`field name ${k}`, k)] = render(`field ${k}`, toText(v));
  const rendered = { title: render("title", input.title), message: render("message", input.message), severity: input.severity, fields: sortedFields(fields) };
  const content: AlertContent = {
    id: "preview", test: false, channelName: "preview", ...rendered,
    processId: task?.process_id ?? null, taskId: task?.id ?? null, nodeId: "preview",
    taskUrl: task ? taskUrl(appUrl, task.process_id, task.id) : `${appUrl.replace(/\/+$/, "")}/processes/…`,
    notifiedAt: new Date(nowMs).toISOString(),
  };
  const host = new URL(appUrl).host;
  const types = input.channelType ? [input.channelType] : CHANNEL_TYPES;
  return {
    sample: { taskId: task?.id ?? null, processId: task?.process_id ?? null, data },
    ...rendered,
    payloads: Object.fromEntries(types.map((t) => [t, previewPayload(t, content, host)])),
  };
}

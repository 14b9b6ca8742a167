/**
 * Corezoid's export file: a JSON array of folders (`obj_type: 0`) and processes /
 * state diagrams (`obj_type: 1`, `conv_type: "process" | "state"`), each process with its
 * scheme. Ids (`obj_id`, `conv_id` in logics) are Corezoid's; the importer maps them.
 */
import { z } from "zod";
import { schemeSchema } from "./scheme.ts";
import { processParamSchema } from "./params.ts";

export const exportedFolderSchema = z.looseObject({
  obj_type: z.literal(0),
  obj_id: z.union([z.number(), z.string()]),
  parent_id: z.union([z.number(), z.string()]).nullish(),
  title: z.string(),
  description: z.string().nullish(),
});

export const exportedProcessSchema = z.looseObject({
  obj_type: z.literal(1),
  obj_id: z.union([z.number(), z.string()]).nullish(),
  parent_id: z.union([z.number(), z.string()]).nullish(),
  title: z.string(),
  description: z.string().nullish(),
  /** active / actived (old exports) / paused / debugged / inactive. */
  status: z.string().optional(),
  params: z.array(processParamSchema).nullish(),
  ref_mask: z.boolean().optional(),
  conv_type: z.enum(["process", "state"]).optional(),
  scheme: schemeSchema,
});

export type ExportedFolder = z.infer<typeof exportedFolderSchema>;
export type ExportedProcess = z.infer<typeof exportedProcessSchema>;

const exportItemSchema = z.union([exportedFolderSchema, exportedProcessSchema, z.looseObject({ obj_type: z.number() })]);

export interface CorezoidExport {
  folders: ExportedFolder[];
  processes: ExportedProcess[];
  /** Objects of other kinds (dashboards, ...), kept for the caller to report. */
  skipped: Array<{ obj_type: number; title?: unknown }>;
}

export class ExportParseError extends Error {
  constructor(readonly issues: z.core.$ZodIssue[]) {
    super(`Invalid Corezoid export: ${issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    this.name = "ExportParseError";
  }
}

/** Parses an export (array, single object, or JSON text of either). Throws `ExportParseError`. */
export function parseCorezoidExport(input: unknown): CorezoidExport {
  let value = input;
  if (typeof value === "string") value = JSON.parse(value);
  const items = Array.isArray(value) ? value : [value];
  const out: CorezoidExport = { folders: [], processes: [], skipped: [] };
  const issues: z.core.$ZodIssue[] = [];
  items.forEach((item, i) => {
    const res = exportItemSchema.safeParse(item);
    if (!res.success) {
      issues.push(...res.error.issues.map((iss) => ({ ...iss, path: [i, ...iss.path] })));
      return;
    }
    const obj = res.data;
    if (obj.obj_type === 0) out.folders.push(obj as ExportedFolder);
    else if (obj.obj_type === 1) {
      // The union's last member accepts anything with obj_type; re-parse to get the process's own errors.
      const proc = exportedProcessSchema.safeParse(item);
      if (proc.success) out.processes.push(proc.data);
      else issues.push(...proc.error.issues.map((iss) => ({ ...iss, path: [i, ...iss.path] })));
    } else out.skipped.push({ obj_type: obj.obj_type, title: (obj as { title?: unknown }).title });
  });
  if (issues.length) throw new ExportParseError(issues);
  return out;
}

import { z } from "zod";

export const grantSchema = z.object({
  folderId: z.number().int().positive().nullable(),
  canCreate: z.boolean(),
  canModify: z.boolean(),
  canView: z.boolean(),
}).strict();
export const grantsSchema = z.array(grantSchema).max(200);

import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { requireActor, route } from "@/app/_lib/http";
import { AUDIT_ACTIONS, listAudit } from "@/server/audit/audit-log";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actorId: z.string().max(100).optional(),
  targetType: z.string().max(40).optional(),
  before: z.string().regex(/^\d+$/).transform((v) => BigInt(v)).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GET = route(async (req: Request) => {
  await requireActor(req, "audit:read");
  const q = querySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return Response.json({ entries: await listAudit({ db: webContext().db, ...q }) }, { headers: { "cache-control": "no-store" } });
});

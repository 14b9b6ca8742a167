import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { AppError } from "@/server/errors";
import { knownProcessesFor, saveDraft, type SchemeJson } from "@/server/processes/process-service";
import { processParamSchema, safeParseScheme, validateProcess } from "@/engine/index";

export const dynamic = "force-dynamic";

const DRAFT_LIMIT_BYTES = 8 * 1024 * 1024;
/** Autosave writes often; the audit log keeps one "updated" entry per operator and process per window. */
const AUDIT_WINDOW_MS = 15 * 60 * 1000;

const bodySchema = z.object({
  revision: z.number().int().min(0),
  scheme: z.unknown(),
  params: z.array(processParamSchema).max(500).optional(),
}).strict();

/**
 * Saves the draft (the editor's autosave). `revision` is the revision the
 * editor loaded or last saved; another save in between answers 409 with the
 * current revision. Answers the new revision and the draft's validation issues.
 */
export const PUT = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "process:write");
  const id = parseId((await params).id, "process id");
  const { db } = webContext();
  const body = bodySchema.parse(await readJsonBody(req, { limitBytes: DRAFT_LIMIT_BYTES }));
  const parsed = safeParseScheme(body.scheme);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    throw new AppError("bad_request", `the scheme is not a valid process: ${first ? `${first.path.join(".")}: ${first.message}` : "unreadable"}`, parsed.issues.slice(0, 20).map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  const { revision } = await saveDraft({ db, processId: id, scheme: body.scheme as SchemeJson, params: body.params, baseRevision: body.revision });
  const proc = await db.process.findUniqueOrThrow({ where: { id }, select: { convType: true } });
  const issues = validateProcess(parsed.scheme, { knownProcesses: await knownProcessesFor({ db, scheme: parsed.scheme }), processKind: proc.convType === "state" ? "state" : "process" });
  const recent = await db.auditLog.findFirst({
    where: { action: "process.updated", targetType: "process", targetId: String(id), actorId: actor.id, at: { gte: new Date(Date.now() - AUDIT_WINDOW_MS) } },
    select: { id: true },
  });
  if (!recent) await audit({ db, actor: auditActor(actor), action: "process.updated", target: { type: "process", id }, details: { draft: true, revision, nodes: parsed.scheme.nodes.length }, ip: clientIp(req) });
  return Response.json({ revision, issues });
});

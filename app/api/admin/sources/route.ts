import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { createSource, listSources } from "@/server/ingest/sources";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  await requireActor(req, "source:manage");
  return Response.json({ sources: await listSources({ db: webContext().db }) });
});

const createSchema = z.object({
  name: z.string().trim().min(1, "a name is required").max(120),
  processId: z.number().int().positive(),
  authType: z.enum(["bearer", "hmac"]),
  replayWindowSec: z.number().int().min(30).max(3600).default(300),
}).strict();

/** Creates a source; its token or signing secret is in this answer only. */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "source:manage");
  const { db, box, config } = webContext();
  const input = createSchema.parse(await readJsonBody(req, { limitBytes: 8192 }));
  const created = await createSource({ db, box, ...input, actorId: actor.id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "source.created", target: { type: "source", id: created.id }, details: { name: input.name, processId: input.processId, authType: input.authType }, ip: clientIp(req) });
  return Response.json({ source: { id: created.id, name: created.name, url: `${config.APP_URL}/api/ingest/cloudtrail/${created.id}` }, credential: created.credential }, { status: 201, headers: { "cache-control": "no-store" } });
});

import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { can } from "@/server/auth/roles";
import { channelNameSchema, deleteChannel, getChannel, rateSchema, updateChannel } from "@/server/alerts/channel-service";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "channel:read");
  const { id } = await params;
  const { db, box } = webContext();
  return Response.json({ channel: await getChannel({ db, box, id, withSecrets: can(actor.role, "channel:manage") }) }, { headers: { "cache-control": "no-store" } });
});

const patchSchema = z.object({
  name: channelNameSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  /** Only the secrets to replace; absent or empty ones keep their stored value. */
  secrets: z.record(z.string(), z.unknown()).optional(),
  rate: rateSchema.optional(),
}).strict();

export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "channel:manage");
  const { id } = await params;
  const { db, box } = webContext();
  const input = patchSchema.parse(await readJsonBody(req, { limitBytes: 32 * 1024 }));
  const { channel, changed } = await updateChannel({ db, box, id, input });
  await audit({ db, actor: auditActor(actor), action: "channel.updated", target: { type: "channel", id }, details: { name: channel.name, changed }, ip: clientIp(req) });
  return Response.json({ channel }, { headers: { "cache-control": "no-store" } });
});

/** Deletes a channel. Notify blocks naming it take their error exit from then on; its alerts stay in the log. */
export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "channel:manage");
  const { id } = await params;
  const { db } = webContext();
  const gone = await deleteChannel({ db, id });
  await audit({ db, actor: auditActor(actor), action: "channel.deleted", target: { type: "channel", id }, details: gone, ip: clientIp(req) });
  return Response.json({ ok: true });
});

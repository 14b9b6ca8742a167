import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { auditActor } from "@/app/_lib/audit-actor";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { can } from "@/server/auth/roles";
import { channelNameSchema, createChannel, listChannels, rateSchema } from "@/server/alerts/channel-service";
import { CHANNEL_TYPES } from "@/server/alerts/channel-types";

export const dynamic = "force-dynamic";

/** Channels: names and types for editors; with masked secrets for those who manage them. */
export const GET = route(async (req: Request) => {
  const actor = await requireActor(req, "channel:read");
  const { db, box } = webContext();
  return Response.json({ channels: await listChannels({ db, box, withSecrets: can(actor.role, "channel:manage") }) }, { headers: { "cache-control": "no-store" } });
});

const createSchema = z.object({
  name: channelNameSchema,
  type: z.enum(CHANNEL_TYPES),
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), z.unknown()).default({}),
  rate: rateSchema.optional(),
}).strict();

/** Creates a channel. A generated webhook signing secret is in this answer only. */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "channel:manage");
  const { db, box } = webContext();
  const input = createSchema.parse(await readJsonBody(req, { limitBytes: 32 * 1024 }));
  const { channel, generated } = await createChannel({ db, box, input, actorId: actor.id });
  await audit({
    db, actor: auditActor(actor), action: "channel.created", target: { type: "channel", id: channel.id },
    details: { name: channel.name, type: channel.type, settings: Object.keys(input.settings), secrets: Object.keys(input.secrets).filter((k) => input.secrets[k] !== "") }, ip: clientIp(req),
  });
  return Response.json({ channel, generated }, { status: 201, headers: { "cache-control": "no-store" } });
});

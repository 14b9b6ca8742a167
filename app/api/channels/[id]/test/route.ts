import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { alertQueue } from "@/app/_lib/alert-queue";
import { readJsonBody, requireActor, route } from "@/app/_lib/http";
import { createTestAlert } from "@/server/alerts/alert-store";
import { getChannel } from "@/server/alerts/channel-service";
import { NOTIFY_SEVERITIES } from "@/engine/index";

export const dynamic = "force-dynamic";

const testSchema = z.object({
  title: z.string().max(500).optional(),
  message: z.string().max(5000).optional(),
  severity: z.enum(NOTIFY_SEVERITIES).optional(),
  fields: z.record(z.string().max(200), z.string().max(2000)).optional(),
}).strict();

/**
 * "Send test": one alert through the channel via the real queue and worker
 * (one attempt, no retries). Answers at once with the alert's id; its outcome
 * appears on GET /api/alerts/{id} and in the delivery log.
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const actor = await requireActor(req, "channel:manage");
  const { id } = await params;
  const { db, box, pool } = webContext();
  const input = testSchema.parse(await readJsonBody(req, { limitBytes: 16 * 1024 }));
  const channel = await getChannel({ db, box, id, withSecrets: false });
  const ref = await createTestAlert(pool, {
    channelId: channel.id, channelName: channel.name, severity: input.severity ?? "info",
    title: input.title ?? `Test of channel ${channel.name}`,
    message: input.message ?? `A test alert sent by ${actor.email} from Conveyor. If you read this, the channel works.`,
    fields: input.fields ?? {},
  });
  await alertQueue().add([ref]);
  return Response.json({ alertId: String(ref.alertId) }, { status: 202 });
});

import { webContext } from "@/app/_lib/context";
import { alertQueue } from "@/app/_lib/alert-queue";
import { parseId, requireActor, route } from "@/app/_lib/http";
import { requeueAlert } from "@/server/alerts/alert-store";

export const dynamic = "force-dynamic";

/** Sends a failed (dead-lettered) alert again: a new round of attempts; 409 for any other status. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "alert:resend");
  const id = parseId((await params).id, "alert id");
  const ref = await requeueAlert(webContext().pool, id);
  await alertQueue().add([ref]);
  return Response.json({ ok: true, alertId: String(ref.alertId) }, { status: 202 });
});

import { webContext } from "@/app/_lib/context";
import { readJsonBody, requireActor, route } from "@/app/_lib/http";
import { previewInputSchema, renderPreview } from "@/server/alerts/preview";

export const dynamic = "force-dynamic";

/** Renders a notify block's title, message and fields against a sample task, and what each channel type would receive. */
export const POST = route(async (req: Request) => {
  await requireActor(req, "task:read");
  const { pool, config } = webContext();
  const input = previewInputSchema.parse(await readJsonBody(req, { limitBytes: 256 * 1024 }));
  return Response.json(await renderPreview({ pool, input, appUrl: config.APP_URL }));
});

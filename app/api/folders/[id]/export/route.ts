import { exportDownload } from "@/app/_lib/download";
import { parseId, requireActor, route } from "@/app/_lib/http";

export const dynamic = "force-dynamic";

/** A folder with its subfolders and processes as a file: `?format=conveyor` (default) or `?format=corezoid`. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  await requireActor(req, "process:read");
  return exportDownload(req, { folderId: parseId((await params).id, "folder id") });
});

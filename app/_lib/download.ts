import { z } from "zod";
import { EXPORT_FORMATS, exportProcesses } from "@/server/processes/export-processes";
import { webContext } from "./context";

/** A JSON file the browser saves rather than shows. */
export function jsonDownload(fileName: string, body: unknown): Response {
  return new Response(JSON.stringify(body, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName.replace(/[^\w.-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}

/** An export as a download; `?format=conveyor` (default) or `?format=corezoid`. */
export async function exportDownload(req: Request, target: { processId: number } | { folderId: number }): Promise<Response> {
  const format = z.enum(EXPORT_FORMATS).parse(new URL(req.url).searchParams.get("format") ?? "conveyor");
  const file = await exportProcesses({ db: webContext().db, target, format });
  return jsonDownload(file.fileName, file.body);
}

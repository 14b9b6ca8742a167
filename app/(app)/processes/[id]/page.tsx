import Link from "next/link";
import { notFound } from "next/navigation";
import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { ProcessCanvas } from "@/components/editor/process-canvas";
import { getProcessForEditor } from "@/server/processes/process-queries";
import { toCanvas } from "@/server/processes/canvas-dto";

export const dynamic = "force-dynamic";

export default async function ProcessPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageActor("process:read", `/processes/${id}`);
  const processId = Number(id);
  if (!Number.isSafeInteger(processId) || processId <= 0) notFound();
  const proc = await getProcessForEditor({ db: webContext().db, id: processId });
  if (!proc) notFound();
  const canvas = toCanvas(proc.scheme);
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <Link href="/processes" className="text-sm text-slate-500 hover:text-slate-900">Processes</Link>
        <span className="text-slate-300">/</span>
        <h1 className="font-semibold" data-testid="process-title">{proc.title}</h1>
        <span className="text-sm text-slate-500">#{proc.id} · {proc.publishedVersion ? `v${proc.publishedVersion}` : "draft"} · {proc.status}</span>
      </div>
      {canvas.problems.length > 0 && (
        <div role="alert" className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-700">
          The stored scheme is invalid: {canvas.problems.slice(0, 3).join("; ")}
        </div>
      )}
      <div className="relative min-h-0 flex-1">
        <ProcessCanvas processId={proc.id} nodes={canvas.nodes} edges={canvas.edges} />
      </div>
    </main>
  );
}

import { notFound } from "next/navigation";
import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { ProcessEditor } from "@/components/editor/process-editor";
import { can } from "@/server/auth/roles";
import { getEditorProcess } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";

// The title names the process by id only: metadata is computed beside the page, and the
// process's title is for signed-in readers.
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Process #${(await params).id} · Conveyor` };
}

/** The editor: viewers read (draft, versions, live counts and tasks); editors also change. */
export default async function ProcessPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ view?: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor("process:read", `/processes/${id}`);
  const processId = Number(id);
  if (!Number.isSafeInteger(processId) || processId <= 0) notFound();
  const proc = await getEditorProcess({ db: webContext().db, id: processId });
  if (!proc) notFound();
  const view = (await searchParams).view;
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <ProcessEditor
        process={proc}
        canEdit={can(actor.role, "process:write")}
        canWriteTasks={can(actor.role, "task:write")}
        initialMode={view === "live" ? "live" : view === "edit" ? "edit" : undefined}
      />
    </main>
  );
}

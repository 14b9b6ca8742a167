import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { ProcessBrowser } from "@/components/processes/process-browser";
import { can } from "@/server/auth/roles";
import { listProcessTree } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "Processes · Conveyor" };

export default async function ProcessesPage() {
  const actor = await requirePageActor("process:read", "/processes");
  const tree = await listProcessTree({ db: webContext().db });
  return <ProcessBrowser initial={tree} canEdit={can(actor.role, "process:write")} />;
}

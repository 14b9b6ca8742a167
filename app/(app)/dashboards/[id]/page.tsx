import { notFound } from "next/navigation";
import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { DashboardView } from "@/components/dashboards/dashboard-view";
import { can } from "@/server/auth/roles";
import { getDashboard } from "@/server/dashboards/dashboard-service";
import { AppError } from "@/server/errors";
import { listFolders } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dashboard · Conveyor" };

export default async function DashboardPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor("dashboard:read", `/dashboards/${id}`);
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) notFound();
  const { db } = webContext();
  const dashboard = await getDashboard({ db, id: n }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  return <DashboardView initial={dashboard} folders={await listFolders({ db })} canEdit={can(actor.role, "dashboard:write")} />;
}

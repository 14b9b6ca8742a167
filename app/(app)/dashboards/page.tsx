import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { DashboardList } from "@/components/dashboards/dashboard-list";
import { can } from "@/server/auth/roles";
import { listDashboards } from "@/server/dashboards/dashboard-service";
import { listFolders } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dashboards · Conveyor" };

export default async function DashboardsPage() {
  const actor = await requirePageActor("dashboard:read", "/dashboards");
  const { db } = webContext();
  const [folders, dashboards] = await Promise.all([listFolders({ db }), listDashboards({ db })]);
  return <DashboardList initial={{ folders, dashboards }} canEdit={can(actor.role, "dashboard:write")} />;
}

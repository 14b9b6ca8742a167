import { requirePageActor } from "@/app/_lib/page-auth";
import { OverviewView } from "@/components/dashboards/overview-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Overview · Conveyor" };

export default async function OverviewPage() {
  await requirePageActor("dashboard:read", "/overview");
  return <OverviewView />;
}

import { notFound } from "next/navigation";
import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { WallView } from "@/components/dashboards/wall-view";
import { getDashboard } from "@/server/dashboards/dashboard-service";
import { AppError } from "@/server/errors";

// Outside the (app) layout on purpose: a wall display shows the widgets and nothing else.
export const dynamic = "force-dynamic";
export const metadata = { title: "Wall · Conveyor" };

export default async function WallPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageActor("dashboard:read", `/wall/dashboards/${id}`);
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) notFound();
  const dashboard = await getDashboard({ db: webContext().db, id: n }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  return <WallView initial={dashboard} />;
}

import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { auditActor } from "@/app/_lib/audit-actor";
import { audit } from "@/server/audit/audit-log";
import { createDashboard, createDashboardSchema, listDashboards } from "@/server/dashboards/dashboard-service";
import { listFolders } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";

/** Dashboards and the folders they (and processes) live in. */
export const GET = route(async (req: Request) => {
  await requireActor(req, "dashboard:read");
  const { db } = webContext();
  const [folders, dashboards] = await Promise.all([listFolders({ db }), listDashboards({ db })]);
  return Response.json({ folders, dashboards }, { headers: { "cache-control": "no-store" } });
});

export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "dashboard:write");
  const { db } = webContext();
  const input = createDashboardSchema.parse(await readJsonBody(req, { limitBytes: 256 * 1024 }));
  const dashboard = await createDashboard({ db, input, createdById: actor.id });
  await audit({ db, actor: auditActor(actor), action: "dashboard.created", target: { type: "dashboard", id: dashboard.id }, details: { title: dashboard.title, folderId: dashboard.folderId, widgets: dashboard.widgets.length }, ip: clientIp(req) });
  return Response.json({ dashboard }, { status: 201 });
});

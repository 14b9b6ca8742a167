import { webContext } from "@/app/_lib/context";
import { clientIp, parseId, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { auditActor } from "@/app/_lib/audit-actor";
import { audit } from "@/server/audit/audit-log";
import { deleteDashboard, getDashboard, updateDashboard, updateDashboardSchema } from "@/server/dashboards/dashboard-service";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, { params }: Ctx) => {
  await requireActor(req, "dashboard:read");
  const id = parseId((await params).id, "dashboard id");
  return Response.json({ dashboard: await getDashboard({ db: webContext().db, id }) }, { headers: { "cache-control": "no-store" } });
});

/** Changes title, folder, description or widgets; `revision` must be the one the change was made on (409 otherwise). */
export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "dashboard:write");
  const id = parseId((await params).id, "dashboard id");
  const { db } = webContext();
  const input = updateDashboardSchema.parse(await readJsonBody(req, { limitBytes: 256 * 1024 }));
  const { dashboard, changed } = await updateDashboard({ db, id, input });
  await audit({ db, actor: auditActor(actor), action: "dashboard.updated", target: { type: "dashboard", id }, details: { changed, revision: dashboard.revision }, ip: clientIp(req) });
  return Response.json({ dashboard });
});

export const DELETE = route(async (req: Request, { params }: Ctx) => {
  const actor = await requireActor(req, "dashboard:write");
  const id = parseId((await params).id, "dashboard id");
  const { db } = webContext();
  const { title } = await deleteDashboard({ db, id });
  await audit({ db, actor: auditActor(actor), action: "dashboard.deleted", target: { type: "dashboard", id }, details: { title }, ip: clientIp(req) });
  return Response.json({ ok: true });
});

import { z } from "zod";
import { webContext } from "@/app/_lib/context";
import { clientIp, readJsonBody, requireActor, route } from "@/app/_lib/http";
import { audit } from "@/server/audit/audit-log";
import { createApiUser, listApiUsers } from "@/server/api-users/api-users";
import { grantsSchema } from "@/server/api-users/grant-schema";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  await requireActor(req, "apiuser:manage");
  return Response.json({ apiUsers: await listApiUsers({ db: webContext().db }) });
});

/** Creates an API user; its secret is in this answer only. */
export const POST = route(async (req: Request) => {
  const actor = await requireActor(req, "apiuser:manage");
  const { db, box } = webContext();
  const input = z.object({ name: z.string().trim().min(1, "a name is required").max(120), grants: grantsSchema.default([]) }).strict().parse(await readJsonBody(req, { limitBytes: 32 * 1024 }));
  const created = await createApiUser({ db, box, name: input.name, grants: input.grants, actorId: actor.id });
  await audit({ db, actor: { type: "user", id: actor.id, label: actor.email }, action: "api_user.created", target: { type: "api_user", id: created.id }, details: { login: created.login, name: created.name, grants: input.grants }, ip: clientIp(req) });
  return Response.json({ apiUser: { id: created.id, login: created.login, name: created.name }, secret: created.secret }, { status: 201, headers: { "cache-control": "no-store" } });
});

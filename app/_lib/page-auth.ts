import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { authorize, getActor, type Actor } from "@/server/auth/actor";
import type { Permission } from "@/server/auth/roles";
import { AppError } from "@/server/errors";
import { webContext } from "./context";

/** For pages: the signed-in operator, or a redirect to the login page; a role without the permission gets a 403 page. */
export async function requirePageActor(permission: Permission, nextPath?: string): Promise<Actor> {
  // headers() first: it marks the page dynamic, so a build never runs this without a request (or configuration).
  const requestHeaders = await headers();
  const actor = await getActor({ auth: webContext().auth, headers: requestHeaders });
  if (!actor) redirect(nextPath ? `/login?next=${encodeURIComponent(nextPath)}` : "/login");
  try {
    return authorize(actor, permission);
  } catch (err) {
    if (err instanceof AppError && err.code === "forbidden") redirect("/forbidden");
    throw err;
  }
}

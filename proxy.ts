import { NextResponse, type NextRequest } from "next/server";
import { getSessionCookie } from "better-auth/cookies";

/**
 * An optimistic check only: a page request without any session cookie goes to
 * the login page, remembering where it wanted to go. Real authorization
 * happens in every page and route (a forged cookie gets nothing there).
 */
export function proxy(request: NextRequest) {
  if (getSessionCookie(request, { cookiePrefix: "conveyor" })) return NextResponse.next();
  const url = request.nextUrl.clone();
  const next = request.nextUrl.pathname + request.nextUrl.search;
  url.pathname = "/login";
  url.search = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: not the login page, API routes, /metrics (a route handler that
  // checks its bearer token or session itself), Next's assets or static files.
  matcher: ["/((?!login|invite/|forbidden|api/|metrics$|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|css|js|txt)$).*)"],
};

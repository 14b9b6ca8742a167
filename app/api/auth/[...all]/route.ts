import { toNextJsHandler } from "better-auth/next-js";
import { webContext } from "@/app/_lib/context";

// better-auth's own endpoints (sign-in, sign-out, session, password change);
// they authenticate and throttle themselves.
const handler = (req: Request) => webContext().auth.handler(req);
export const { GET, POST } = toNextJsHandler(handler);

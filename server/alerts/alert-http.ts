import { createHttpCaller, type HttpCaller } from "../http/perform-http-call.ts";
import type { SsrfPolicy } from "../http/address-policy.ts";
import type { HttpSend } from "./senders.ts";

/**
 * Alert channels' HTTP through the SSRF-guarded client of server/http (the
 * same guard as API Call blocks: metadata and link-local never, private
 * networks only by policy, checked at connect time). Redirects are not
 * followed: a webhook that moved should be reconfigured, and following a 302
 * would turn the POST into a GET and lose the alert.
 */
const MAX_ANSWER_BYTES = 1024 * 1024;

export function createAlertHttp({ policy, caller }: { policy: SsrfPolicy; caller?: HttpCaller }): HttpSend & { close(): Promise<void> } {
  const http = caller ?? createHttpCaller({ policy, maxRedirects: 0 });
  const send: HttpSend = async (req) => {
    const res = await http.call({ request: { method: req.method, url: req.url, headers: req.headers, body: req.body }, timeoutMs: req.timeoutMs, maxResponseBytes: MAX_ANSWER_BYTES });
    if ("error" in res) {
      // A refused destination stays refused (EBLOCKED: no retry); timeouts and connection failures are worth retrying.
      throw Object.assign(new Error(res.description), { code: res.error === "blocked" ? "EBLOCKED" : res.error });
    }
    return { status: res.status, headers: res.headers, body: res.body };
  };
  return Object.assign(send, { close: () => http.close() });
}

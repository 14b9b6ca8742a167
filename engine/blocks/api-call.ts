/**
 * API Call (`api`): the engine builds the request (an `httpCall` command), the worker sends
 * it (SSRF guard, timeout, size limit, `max_threads`) and answers `httpResult`, which the
 * engine interprets:
 * - 2xx: a JSON object is merged into the task, an array goes to `__conveyor_api_array__`,
 *   XML (by content type) is converted with the `@attr`/`#value` convention; with
 *   `customize_response` only the mapped keys are written (`{{header...}}`, `{{body...}}`);
 *   `format: corezoid` expects `{request_proc:"ok", ops:[{proc:"ok", res_data}]}` and merges res_data.
 * - otherwise `__conveyor_api_return_*__` and err_node_id: api_bad_answer (timeout,
 *   failed_connect, blocked address, non-2xx status: `__conveyor_api_return_http_code__`),
 *   api_no_valid_json, api_no_request_proc / api_no_ops / api_bad_res_data,
 *   api_wrong_convert_param, api_task_size_overflow_limit, api_expire_query (all threads
 *   busy, hardware), api_fatal_error (hardware), api_bind_error (hardware: the request
 *   cannot be built — an unknown method, a header name or value HTTP cannot carry).
 */
import { z } from "zod";
import { applyEntries, castFailureDescription, evaluateValueMap } from "../expr/cast.ts";
import { sha1, toHex, utf8 } from "../expr/hash.ts";
import type { TemplateScope } from "../expr/scope.ts";
import { renderTemplate, toText } from "../expr/template.ts";
import type { HttpMethod, HttpRequest } from "../runtime/commands.ts";
import type { HttpResultEvent } from "../runtime/events.ts";
import { isPlainObject, tryParseJson, type JsonObject } from "../util/json.ts";
import { jsonToXml, xmlToJson } from "../util/xml.ts";
import { failure, withTemplateErrors, type BlockContext, type BlockDefinition, type Outcome } from "./block.ts";
import { errorPort, strictValueMapSchema, strictValueTypesSchema, valueMapSchema, valueTypesSchema } from "./shared.ts";

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

export const apiCallLogicSchema = z.looseObject({
  type: z.literal("api"),
  method: z.string().optional(),
  url: z.string(),
  /** "" default, "corezoid" (ops envelope), "raw" (raw_body). */
  format: z.string().optional(),
  content_type: z.string().optional(),
  extra: valueMapSchema.optional(),
  extra_type: valueTypesSchema.optional(),
  extra_headers: z.record(z.string(), z.unknown()).optional(),
  raw_body: z.string().optional(),
  max_threads: z.union([z.number(), z.string()]).optional(),
  send_sys: z.boolean().optional(),
  api_secret_outer: z.string().optional(),
  cert_pem: z.string().optional(),
  debug_info: z.boolean().optional(),
  customize_response: z.boolean().optional(),
  response: valueMapSchema.optional(),
  response_type: valueTypesSchema.optional(),
  rfc_format: z.boolean().optional(),
  err_node_id: z.string().optional(),
});
export type ApiCallLogic = z.infer<typeof apiCallLogicSchema>;

const PREFIX = "api";
const QUERY_METHODS = new Set<HttpMethod>(["GET", "HEAD", "OPTIONS"]);
/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters a header value cannot hold (the HTTP client refuses them too). */
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

type Built = { ok: true; request: HttpRequest } | { ok: false; outcome: Outcome };

function encodeQuery(params: JsonObject): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(toText(v))}`)
    .join("&");
}

function appendQuery(url: string, query: string): string {
  if (!query) return url;
  const [base, hash] = url.split("#", 2);
  const joined = `${base}${base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?"}${query}`;
  return hash === undefined ? joined : `${joined}#${hash}`;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Builds the HTTP request a logic describes. Throws `TemplateError`. */
export function buildApiRequest(logic: ApiCallLogic, ctx: Pick<BlockContext, "task" | "node" | "scope" | "nowMs">): Built {
  const scope = ctx.scope;
  const method = ((logic.method ?? "POST").toUpperCase() as HttpMethod);
  if (!(METHODS as readonly string[]).includes(method)) {
    return { ok: false, outcome: failure(PREFIX, "api_bind_error", "hardware", `unsupported method ${logic.method}`) };
  }
  let url = renderTemplate(logic.url, scope).trim();
  if (!/^https?:\/\/[^/\s]+/i.test(url)) {
    return { ok: false, outcome: failure(PREFIX, "api_bad_answer", "software", url ? `no_scheme: ${url}` : "no_scheme") };
  }
  const values = evaluateValueMap(logic.extra, logic.extra_type, scope);
  if (!values.ok) return { ok: false, outcome: failure(PREFIX, "api_wrong_convert_param", "software", castFailureDescription(values.failure)) };
  const params = applyEntries({}, values.entries);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(logic.extra_headers ?? {})) {
    const value = renderTemplate(toText(v), scope);
    // What HTTP cannot carry is refused here, before anything is sent (a CR/LF would also split the header).
    if (!HEADER_NAME.test(k)) return { ok: false, outcome: failure(PREFIX, "api_bind_error", "hardware", `header name ${JSON.stringify(k)} is not a valid HTTP token`) };
    if (BAD_HEADER_VALUE.test(value)) {
      return { ok: false, outcome: failure(PREFIX, "api_bind_error", "hardware", `header ${k} holds a character an HTTP header cannot carry (a line break, control or non-Latin-1 character)`) };
    }
    headers[k] = value;
  }
  const contentType = (logic.content_type || headerValue(headers, "content-type") || "application/json").toLowerCase();
  const t = ctx.task;
  let body: string | undefined;
  switch (logic.format ?? "") {
    case "corezoid":
      body = JSON.stringify({
        ops: [{ type: "data", obj: "task", obj_id: t.id, ref: t.ref, conv_id: t.processId, node_id: ctx.node.id, data: t.data, extra: params }],
      });
      if (!headerValue(headers, "content-type")) headers["Content-Type"] = "application/json";
      break;
    case "raw":
      body = renderTemplate(logic.raw_body ?? "", scope);
      if (!headerValue(headers, "content-type")) headers["Content-Type"] = logic.content_type || "text/plain";
      break;
    default: {
      if (QUERY_METHODS.has(method)) {
        url = appendQuery(url, encodeQuery(params));
        break;
      }
      if (contentType.includes("x-www-form-urlencoded")) {
        body = encodeQuery(params);
      } else if (contentType.includes("xml")) {
        body = jsonToXml(params);
      } else {
        const sys = logic.send_sys ? { sys: { ref: t.ref, obj_id: t.id, conv_id: t.processId, node_id: ctx.node.id } } : {};
        body = JSON.stringify({ ...params, ...sys });
      }
      if (!headerValue(headers, "content-type")) headers["Content-Type"] = logic.content_type || "application/json";
    }
  }
  if (logic.send_sys) {
    const time = String(Math.floor(ctx.nowMs / 1000));
    const secret = renderTemplate(logic.api_secret_outer ?? "", scope);
    const signature = toHex(sha1(utf8(time + secret + (body ?? "") + secret)));
    url = appendQuery(url, encodeQuery({ conv_signature: signature, conv_time: time, conv_id: t.processId }));
  }
  return { ok: true, request: { method, url, headers, ...(body === undefined ? {} : { body }) } };
}

function parseBody(body: string, headers: Record<string, string>): { ok: true; value: unknown } | { ok: false } {
  if (body.trim() === "") return { ok: true, value: {} };
  const type = (headerValue(headers, "content-type") ?? "").toLowerCase();
  if (type.includes("xml")) {
    const xml = xmlToJson(body);
    return xml ? { ok: true, value: xml } : { ok: false };
  }
  return tryParseJson(body);
}

function interpret(logic: ApiCallLogic, ctx: BlockContext, event: Extract<HttpResultEvent, { status: number }>): Outcome {
  const debug = logic.debug_info
    ? {
        __conveyor_api_debug__: {
          http_exec_time: event.durationMs ?? 0,
          http_req_body_size: event.requestBytes ?? 0,
          http_res_code: event.status,
          http_res_body_size: utf8(event.body).length,
        },
      }
    : {};
  if (event.status < 200 || event.status > 299) {
    return failure(PREFIX, "api_bad_answer", "software", `http status ${event.status}`, { __conveyor_api_return_http_code__: event.status, ...debug });
  }
  const parsed = parseBody(event.body, event.headers);
  if (!parsed.ok) return failure(PREFIX, "api_no_valid_json", "software", `response is not valid JSON: ${event.body.slice(0, 200)}`, debug);
  let value = parsed.value;
  if (logic.format === "corezoid") {
    if (!isPlainObject(value) || value.request_proc === undefined) return failure(PREFIX, "api_no_request_proc", "software", "no request_proc in the answer", debug);
    if (value.request_proc !== "ok") return failure(PREFIX, "api_no_request_proc", "software", `request_proc: ${toText(value.request_proc)}`, debug);
    const ops = value.ops;
    if (!Array.isArray(ops) || ops.length === 0) return failure(PREFIX, "api_no_ops", "software", "no ops in the answer", debug);
    const op = ops[0];
    if (!isPlainObject(op) || op.proc !== "ok" || !isPlainObject(op.res_data ?? {})) {
      return failure(PREFIX, "api_bad_res_data", "software", isPlainObject(op) ? `proc: ${toText(op.proc)}` : "malformed op", debug);
    }
    value = op.res_data ?? {};
  }
  if (logic.customize_response) {
    const responseScope: TemplateScope = { ...ctx.scope, data: { header: event.headers, body: value } };
    const mapped = evaluateValueMap(logic.response, logic.response_type, responseScope);
    if (!mapped.ok) return failure(PREFIX, "api_wrong_convert_param", "software", castFailureDescription(mapped.failure), debug);
    return { kind: "next", data: { ...applyEntries(ctx.task.data, mapped.entries), ...debug } };
  }
  if (Array.isArray(value)) return { kind: "next", data: { ...ctx.task.data, __conveyor_api_array__: value, ...debug } };
  if (!isPlainObject(value)) return failure(PREFIX, "api_no_valid_json", "software", "response is not a JSON object or array", debug);
  return { kind: "next", data: { ...ctx.task.data, ...value, ...debug } };
}

export const apiCallBlock: BlockDefinition<ApiCallLogic> = {
  type: "api",
  title: "API Call",
  group: "integration",
  description: "Calls an HTTP API; the JSON (or XML) answer is merged into the task.",
  logicSchema: apiCallLogicSchema,
  configSchema: z.object({
    type: z.literal("api"),
    method: z.enum(METHODS),
    url: z.string().min(1, "give the URL"),
    format: z.enum(["", "corezoid", "raw"]).optional(),
    content_type: z.string().optional(),
    extra: strictValueMapSchema.optional(),
    extra_type: strictValueTypesSchema.optional(),
    extra_headers: strictValueMapSchema.optional(),
    raw_body: z.string().optional(),
    max_threads: z.number().int().min(1).max(50_000).optional(),
    send_sys: z.boolean().optional(),
    api_secret_outer: z.string().optional(),
    cert_pem: z.string().optional(),
    debug_info: z.boolean().optional(),
    customize_response: z.boolean().optional(),
    response: strictValueMapSchema.optional(),
    response_type: strictValueTypesSchema.optional(),
    rfc_format: z.boolean().optional(),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  sizeOverflowTag: "api_task_size_overflow_limit",
  blocking: true,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "api_wrong_convert_param", () => {
      const built = buildApiRequest(logic, ctx);
      if (!built.ok) return built.outcome;
      const threads = Number(logic.max_threads);
      return {
        kind: "park",
        as: { kind: "http" },
        commands: [{
          ...ctx.origin("httpCall"),
          type: "httpCall",
          request: built.request,
          format: logic.format === "corezoid" ? "corezoid" : logic.format === "raw" ? "raw" : "default",
          timeoutMs: ctx.options.httpTimeoutMs,
          maxResponseBytes: ctx.options.httpMaxResponseBytes,
          maxThreads: Number.isInteger(threads) && threads > 0 ? threads : ctx.options.httpMaxThreads,
          ...(logic.cert_pem ? { certPem: logic.cert_pem } : {}),
        }],
      };
    }),
  accepts: ["httpResult"],
  resume: (logic, ctx, event) => {
    if (event.type !== "httpResult") return { kind: "ignore", reason: "unexpected_event" };
    if ("status" in event) return withTemplateErrors(PREFIX, "api_wrong_convert_param", () => interpret(logic, ctx, event));
    const description = event.description ?? event.error;
    switch (event.error) {
      case "timeout":
      case "failed_connect":
        return failure(PREFIX, "api_bad_answer", "software", event.error);
      case "blocked":
        return failure(PREFIX, "api_bad_answer", "software", `blocked: ${description}`);
      case "response_too_large":
        return failure(PREFIX, "api_task_size_overflow_limit", "software", `response larger than ${ctx.options.httpMaxResponseBytes} bytes`);
      case "busy":
        return failure(PREFIX, "api_expire_query", "hardware", "all max_threads are busy; increase max_threads");
      case "fatal":
        return failure(PREFIX, "api_fatal_error", "hardware", description);
    }
  },
};

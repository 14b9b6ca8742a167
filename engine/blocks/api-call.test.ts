import { describe, expect, it } from "vitest";
import type { Command } from "../runtime/commands.ts";
import type { HttpFailure } from "../runtime/events.ts";
import { errorOf, singleNode } from "../testing/single-node.ts";

const at = { nodeId: "act", visit: 1 };
const httpCall = (cmds: Command[]) => cmds.find((c): c is Extract<Command, { type: "httpCall" }> => c.type === "httpCall")!;

describe("API Call: request", () => {
  it("puts GET parameters in the query string and renders headers", () => {
    const n = singleNode(
      { type: "api", method: "GET", url: "https://api.example.com/users/{{id}}", extra: { q: "{{name}}", n: "{{count}}" }, extra_type: { q: "string", n: "number" }, extra_headers: { Authorization: "Bearer {{token}}" }, max_threads: 3 },
      { id: 7, name: "a b&c", count: "2", token: "tok" },
    );
    expect(n.entered.task).toMatchObject({ status: "waiting", nodeId: "act", waiting: { kind: "http", logicIndex: 0, visit: 1 } });
    const cmd = httpCall(n.entered.commands);
    expect(cmd).toMatchObject({
      key: "httpCall:t1:act:1", taskId: "t1", processId: "p1", nodeId: "act", visit: 1,
      request: { method: "GET", url: "https://api.example.com/users/7?q=a%20b%26c&n=2", headers: { Authorization: "Bearer tok" } },
      timeoutMs: 60_000, maxResponseBytes: 5 * 1024 * 1024, maxThreads: 3, format: "default",
    });
    expect(cmd.request.body).toBeUndefined();
  });

  it("sends POST parameters as JSON by default, form-encoded or XML on request", () => {
    const json = httpCall(singleNode({ type: "api", method: "POST", url: "https://x.test/", extra: { a: "1", b: "{{o}}" }, extra_type: { a: "number", b: "object" } }, { o: { k: [1] } }).entered.commands);
    expect(json.request.body).toBe('{"a":1,"b":{"k":[1]}}');
    expect(json.request.headers["Content-Type"]).toBe("application/json");

    const form = httpCall(singleNode({ type: "api", method: "POST", url: "https://x.test/", content_type: "application/x-www-form-urlencoded", extra: { a: "x y", b: "2" } }).entered.commands);
    expect(form.request.body).toBe("a=x%20y&b=2");
    expect(form.request.headers["Content-Type"]).toBe("application/x-www-form-urlencoded");

    const xml = httpCall(singleNode({ type: "api", method: "POST", url: "https://x.test/", content_type: "application/xml", extra: { order: '{"@id":"5","item":["a","b"],"note":{"#value":"1 < 2"}}' }, extra_type: { order: "object" } }).entered.commands);
    expect(xml.request.body).toBe('<?xml version="1.0" encoding="UTF-8"?><order id="5"><item>a</item><item>b</item><note>1 &lt; 2</note></order>');
  });

  it("sends a raw body and the Corezoid ops envelope", () => {
    const raw = httpCall(singleNode({ type: "api", method: "PUT", url: "https://x.test/", format: "raw", content_type: "text/csv", raw_body: "id,{{id}}" }, { id: 3 }).entered.commands);
    expect(raw).toMatchObject({ format: "raw", request: { method: "PUT", body: "id,3", headers: { "Content-Type": "text/csv" } } });

    const cz = httpCall(singleNode({ type: "api", method: "POST", url: "https://x.test/", format: "corezoid", extra: { p: "1" } }, { a: 1 }).entered.commands);
    expect(cz.format).toBe("corezoid");
    expect(JSON.parse(cz.request.body!)).toEqual({ ops: [{ type: "data", obj: "task", obj_id: "t1", ref: "ref-1", conv_id: "p1", node_id: "act", data: { a: 1 }, extra: { p: "1" } }] });
  });

  it("signs send_sys requests with sha1(time + secret + body + secret)", () => {
    const n = singleNode({ type: "api", method: "POST", url: "https://x.test/hook", send_sys: true, api_secret_outer: "s3cret", extra: {} });
    const cmd = httpCall(n.entered.commands);
    const url = new URL(cmd.request.url);
    const time = String(Math.floor(n.clock.now() / 1000));
    expect(url.searchParams.get("conv_time")).toBe(time);
    expect(url.searchParams.get("conv_id")).toBe("p1");
    expect(JSON.parse(cmd.request.body!)).toEqual({ sys: { ref: "ref-1", obj_id: "t1", conv_id: "p1", node_id: "act" } });
    // Recomputed independently with the digest the template functions use.
    const expected = singleNode({ type: "set_param", extra: { sig: `$.sha1_hex(${time}s3cret${cmd.request.body}s3cret)` }, extra_type: { sig: "string" } }).entered.task.data.sig;
    expect(url.searchParams.get("conv_signature")).toBe(expected);
  });

  it("fails without a request when the URL has no scheme", () => {
    const n = singleNode({ type: "api", method: "GET", url: "{{missing}}" });
    expect(n.entered.commands).toEqual([]);
    expect(n.entered.task.nodeId).toBe("err");
    expect(errorOf(n.entered.task.data, "api")).toEqual({ type: "software", tag: "api_bad_answer", description: "no_scheme" });
  });

  it("fails with api_bind_error (hardware), sending nothing, when the request cannot be built", () => {
    const bind = (logic: Record<string, unknown>, data: Record<string, unknown> = {}) => {
      const n = singleNode({ type: "api", url: "https://x.test/", extra: {}, ...logic }, data);
      expect(n.entered.commands).toEqual([]);
      expect(n.entered.task.nodeId).toBe("err");
      return errorOf(n.entered.task.data, "api");
    };
    expect(bind({ method: "FETCH" })).toEqual({ type: "hardware", tag: "api_bind_error", description: "unsupported method FETCH" });
    // A rendered line break would split the header (header injection): refused, not sent.
    expect(bind({ method: "GET", extra_headers: { "X-User": "{{user}}" } }, { user: "ann\r\nX-Admin: yes" })).toEqual({
      type: "hardware", tag: "api_bind_error", description: "header X-User holds a character an HTTP header cannot carry (a line break, control or non-Latin-1 character)",
    });
    expect(bind({ method: "GET", extra_headers: { "Bad Name": "v" } })).toMatchObject({ type: "hardware", tag: "api_bind_error", description: 'header name "Bad Name" is not a valid HTTP token' });
    // Method names are case-insensitive; Latin-1 header text is fine.
    const ok = singleNode({ type: "api", method: "post", url: "https://x.test/", extra: {}, extra_headers: { "X-Name": "Zoë\tA" } });
    expect(httpCall(ok.entered.commands).request).toMatchObject({ method: "POST", headers: { "X-Name": "Zoë\tA" } });
  });

  it("fails with api_wrong_convert_param when a parameter does not cast", () => {
    const n = singleNode({ type: "api", method: "POST", url: "https://x.test/", extra: { n: "{{v}}" }, extra_type: { n: "number" } }, { v: "x" });
    expect(errorOf(n.entered.task.data, "api").tag).toBe("api_wrong_convert_param");
  });
});

describe("API Call: response", () => {
  const post = (extra: Record<string, unknown> = {}, data: Record<string, unknown> = { keep: 1 }, options = {}) =>
    singleNode({ type: "api", method: "POST", url: "https://x.test/", ...extra }, data, { options });
  const ok = (body: string, headers: Record<string, string> = { "content-type": "application/json" }, status = 200) =>
    ({ type: "httpResult", ...at, status, headers, body }) as const;

  it("merges a JSON object into the task and follows go", () => {
    const n = post();
    const res = n.send(ok('{"user":{"id":5},"keep":2}'));
    expect(res.task).toMatchObject({ status: "finished", nodeId: "ok", data: { keep: 2, user: { id: 5 } } });
  });

  it("puts a JSON array into __conveyor_api_array__", () => {
    expect(post().send(ok("[1,2]")).task.data).toEqual({ keep: 1, __conveyor_api_array__: [1, 2] });
  });

  it("converts an XML answer", () => {
    const res = post().send(ok('<?xml version="1.0"?><r status="ok"><v>1</v><v>2</v></r>', { "content-type": "text/xml" }));
    expect(res.task.data.r).toEqual({ "@status": "ok", v: ["1", "2"] });
  });

  it("reports a non-JSON body as api_no_valid_json", () => {
    const res = post().send(ok("<html>oops</html>", { "content-type": "text/html" }));
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, "api")).toMatchObject({ type: "software", tag: "api_no_valid_json" });
  });

  it("reports a non-2xx status as api_bad_answer with the HTTP code", () => {
    const res = post().send(ok('{"error":"x"}', undefined, 503));
    expect(errorOf(res.task.data, "api")).toEqual({ type: "software", tag: "api_bad_answer", description: "http status 503" });
    expect(res.task.data.__conveyor_api_return_http_code__).toBe(503);
    expect(res.task.data.error).toBeUndefined();
  });

  it.each<[HttpFailure, string, string]>([
    ["timeout", "api_bad_answer", "software"],
    ["failed_connect", "api_bad_answer", "software"],
    ["blocked", "api_bad_answer", "software"],
    ["response_too_large", "api_task_size_overflow_limit", "software"],
    ["busy", "api_expire_query", "hardware"],
    ["fatal", "api_fatal_error", "hardware"],
  ])("maps the worker failure %s to %s (%s)", (error, tag, type) => {
    const res = post().send({ type: "httpResult", ...at, error });
    expect(res.task.nodeId).toBe("err");
    expect(errorOf(res.task.data, "api")).toMatchObject({ tag, type });
  });

  it("refuses an answer that would exceed the task size limit", () => {
    const res = post({}, { keep: 1 }, { taskSizeLimit: 100 }).send(ok(JSON.stringify({ big: "x".repeat(200) })));
    expect(res.task.data.big).toBeUndefined();
    expect(errorOf(res.task.data, "api").tag).toBe("api_task_size_overflow_limit");
  });

  it("writes only the mapped keys with customize_response; a missing path gives ''", () => {
    const n = post({ customize_response: true, response: { status: "{{header.x-status}}", name: "{{body.user.name}}", whole: "{{body}}", nope: "{{body.missing}}" }, response_type: { status: "string", name: "string", whole: "object", nope: "string" } });
    const res = n.send(ok('{"user":{"name":"ann"},"other":1}', { "content-type": "application/json", "x-status": "fine" }));
    expect(res.task.data).toEqual({ keep: 1, status: "fine", name: "ann", whole: { user: { name: "ann" }, other: 1 }, nope: "" });
  });

  it("adds __conveyor_api_debug__ with debug_info", () => {
    const res = post({ debug_info: true }).send({ ...ok('{"a":1}'), durationMs: 42, requestBytes: 10 });
    expect(res.task.data.__conveyor_api_debug__).toEqual({ http_exec_time: 42, http_req_body_size: 10, http_res_code: 200, http_res_body_size: 7 });
  });

  it("reads Corezoid-format answers and reports malformed ones", () => {
    const cz = { format: "corezoid" };
    expect(post(cz).send(ok('{"request_proc":"ok","ops":[{"proc":"ok","res_data":{"r":1}}]}')).task.data).toEqual({ keep: 1, r: 1 });
    expect(errorOf(post(cz).send(ok('{"ops":[]}')).task.data, "api").tag).toBe("api_no_request_proc");
    expect(errorOf(post(cz).send(ok('{"request_proc":"ok"}')).task.data, "api").tag).toBe("api_no_ops");
    expect(errorOf(post(cz).send(ok('{"request_proc":"ok","ops":[{"proc":"error"}]}')).task.data, "api").tag).toBe("api_bad_res_data");
  });

  it("ignores a result for another visit or node", () => {
    const n = post();
    expect(n.send({ ...ok("{}"), visit: 2 }).ignored?.reason).toBe("stale_result");
    expect(n.send({ ...ok("{}"), nodeId: "other" }).ignored?.reason).toBe("stale_result");
    expect(n.last().task.status).toBe("waiting");
  });
});

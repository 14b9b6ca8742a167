import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, go, logicNode, startNode } from "../engine/testing/builders.ts";
import { createHarness, type Harness } from "../server/testing/worker-harness.ts";

/**
 * API Call and Code blocks carried out by the real worker: real HTTP to a
 * local server (private addresses allowed here by HTTP_ALLOW_PRIVATE, cloud
 * metadata still blocked), max_threads respected across tasks, and Code in
 * the isolated-vm sandbox with its time limit.
 */
let h: Harness;
let server: Server;
let port = 0;
const received: Array<{ method: string; url: string; body: string; auth?: string }> = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method!, url: req.url!, body, auth: req.headers["x-api-key"] as string | undefined });
      if (req.url?.startsWith("/slow")) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ slow: true }));
        }, 150);
        return;
      }
      if (req.url?.startsWith("/list")) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([1, 2, 3]));
      if (req.url?.startsWith("/broken")) return void res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ risk: "high", echo: JSON.parse(body || "{}") }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true" } });
});
afterAll(async () => {
  server?.close();
  await h?.close();
});

const finished = (id: string) => h.waitFor(`task ${id} finished`, () => h.task(id), (t) => t.status === "finished", 30_000);

/*  Start ─▶ call (API Call) ─▶ done      (error ─▶ failed)  */
const apiProcess = (logic: Record<string, unknown>) =>
  h.publish(buildScheme(startNode("s", "call"), logicNode("call", [{ type: "api", extra_headers: {}, err_node_id: "failed", ...logic }, go("done")]), finalNode("done"), finalNode("failed", "error")));

describe("API Call (real HTTP, real worker)", () => {
  it("sends the request built from the task and merges a JSON object answer into it", async () => {
    const pid = await apiProcess({ method: "POST", url: `http://127.0.0.1:${port}/score`, extra: { user: "{{user}}", n: "{{n}}" }, extra_type: { user: "string", n: "number" }, extra_headers: { "x-api-key": "k-1" } });
    const [id] = await h.submit(pid, [{ data: { user: "alice", n: 3 } }]);
    expect(await finished(id)).toMatchObject({ nodeId: "done", data: { user: "alice", n: 3, risk: "high", echo: { user: "alice", n: 3 } } });
    const req = received.find((r) => r.url === "/score")!;
    expect(req).toMatchObject({ method: "POST", auth: "k-1" });
    expect(JSON.parse(req.body)).toEqual({ user: "alice", n: 3 });
  });

  it("puts an array answer under __conveyor_api_array__; a non-JSON error page takes the error exit", async () => {
    const list = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/list`, extra: {}, extra_type: {} });
    const [a] = await h.submit(list, [{ data: {} }]);
    expect((await finished(a)).data).toMatchObject({ __conveyor_api_array__: [1, 2, 3] });
    const broken = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/broken`, extra: {}, extra_type: {} });
    const [b] = await h.submit(broken, [{ data: {} }]);
    const t = await finished(b);
    expect(t.nodeId).toBe("failed");
    expect(t.data.__conveyor_api_return_type_tag__).toEqual(expect.any(String));
  });

  it("never reaches cloud metadata: the SSRF guard blocks it and the task takes its error exit", async () => {
    const pid = await apiProcess({ method: "GET", url: "http://169.254.169.254/latest/meta-data/iam/", extra: {}, extra_type: {} });
    const [id] = await h.submit(pid, [{ data: {} }]);
    const t = await finished(id);
    expect(t.nodeId).toBe("failed");
    expect(JSON.stringify(t.data)).toMatch(/blocked|169\.254/);
  });

  it("keeps at most max_threads requests of a node in flight across tasks", async () => {
    const pid = await apiProcess({ method: "GET", url: `http://127.0.0.1:${port}/slow`, extra: {}, extra_type: {}, max_threads: 1 });
    maxInFlight = 0;
    const ids = await h.submit(pid, Array.from({ length: 5 }, (_, i) => ({ data: { i } })));
    for (const id of ids) expect((await finished(id)).nodeId).toBe("done");
    expect(maxInFlight).toBe(1);
  });
});

describe("Code (isolated-vm sandbox, real worker)", () => {
  /*  Start ─▶ code (JavaScript over data) ─▶ done      (error ─▶ failed)  */
  const codeProcess = (src: string) => h.publish(buildScheme(startNode("s", "code"), logicNode("code", [{ type: "api_code", lang: "js", src, err_node_id: "failed" }, go("done")]), finalNode("done"), finalNode("failed", "error")));

  it("runs JavaScript with the task as data and merges what it sets", async () => {
    const pid = await codeProcess("data.sum = data.a + data.b; data.tags = ['x', 'y'];");
    const [id] = await h.submit(pid, [{ data: { a: 2, b: 40 } }]);
    expect(await finished(id)).toMatchObject({ nodeId: "done", data: { a: 2, b: 40, sum: 42, tags: ["x", "y"] } });
  });

  it("stops an endless loop with code_timeout and a throw with code_executing_error", async () => {
    const loop = await codeProcess("while (true) {}");
    const [a] = await h.submit(loop, [{ data: {} }]);
    expect(await finished(a)).toMatchObject({ nodeId: "failed", data: { __conveyor_code_return_type_tag__: "code_timeout" } });
    const thrower = await codeProcess("throw new Error('no such customer')");
    const [b] = await h.submit(thrower, [{ data: {} }]);
    const t = await finished(b);
    expect(t).toMatchObject({ nodeId: "failed", data: { __conveyor_code_return_type_tag__: "code_executing_error" } });
    expect(String(t.data.__conveyor_code_return_description__)).toMatch(/no such customer/);
  });

  it("gives the code no way out to the host", async () => {
    const pid = await codeProcess("data.p = typeof process; data.f = typeof fetch; try { require('fs'); data.r = 'loaded'; } catch (e) { data.r = e.message; } try { data.c = this.constructor.constructor('return typeof process')(); } catch (e) { data.c = 'threw'; }");
    const [id] = await h.submit(pid, [{ data: {} }]);
    const data = (await finished(id)).data;
    expect(data).toMatchObject({ p: "undefined", f: "undefined", c: "undefined" });
    expect(data.r).toMatch(/require\("fs"\) is not available/);
  });
});

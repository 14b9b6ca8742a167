/**
 * API Call requests against real local servers on 127.0.0.1, behind the SSRF guard.
 * There is no DNS server here: host names resolve through an injected resolver, which is also how
 * the tests point names at blocked addresses (metadata, loopback) to check the guard at resolution.
 * Every "blocked" test also asserts that the receiving server saw nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HttpRequest } from "../../engine/index.ts";
import { createHttpCaller, performHttpCall, type HttpCallResult, type HttpCaller, type HttpCallerOptions, type Resolver } from "./perform-http-call.ts";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

const servers: Receiver[] = [];

/** A local HTTP server that records every request it receives and answers with `handler`. */
async function receiver(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<Receiver> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const r: Receiver = {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(r);
  return r;
}

const ok = (status = 200, body = '{"ok":true}', headers: Record<string, string> = { "content-type": "application/json" }) =>
  (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, headers);
    res.end(body);
  };

/** A resolver from a fixed table; counts calls per name. Like getaddrinfo, it reads `name.` as `name`. */
function table(entries: Record<string, string[]>): Resolver & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const fn = async (fqdn: string) => {
    const hostname = fqdn.replace(/\.$/, "");
    calls[hostname] = (calls[hostname] ?? 0) + 1;
    const addresses = entries[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}

const get = (url: string, headers: Record<string, string> = {}): HttpRequest => ({ method: "GET", url, headers });

let caller: HttpCaller | undefined;
function callerWith(options: HttpCallerOptions): HttpCaller {
  caller = createHttpCaller(options);
  return caller;
}
const call = (c: HttpCaller, request: HttpRequest, extra: { timeoutMs?: number; maxResponseBytes?: number; certPem?: string } = {}) =>
  c.call({ request, timeoutMs: extra.timeoutMs ?? 5000, maxResponseBytes: extra.maxResponseBytes ?? 1_000_000, certPem: extra.certPem });

function failure(result: HttpCallResult) {
  if (!("error" in result)) throw new Error(`expected a failure, got HTTP ${result.status}: ${result.body.slice(0, 200)}`);
  return result;
}

afterEach(async () => {
  await caller?.close();
  caller = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("requests that pass the guard", () => {
  it("sends method, path, query, headers and body, and returns status, headers and body", async () => {
    const srv = await receiver(ok(201, '{"id":7}', { "content-type": "application/json", "x-trace": "abc" }));
    const c = callerWith({ policy: { allowPrivate: false, allowHosts: ["receiver.test"] }, resolve: table({ "receiver.test": ["127.0.0.1"] }) });
    const result = await call(c, {
      method: "POST",
      url: `http://receiver.test:${srv.port}/hooks/alert?severity=high&x=%C3%A9`,
      headers: { "Content-Type": "application/json", "X-Api-Key": "k-123", Host: "evil.example", Connection: "close" },
      body: '{"event":"ConsoleLogin","who":"JohnDoé"}',
    });
    expect(result).toEqual({ status: 201, headers: expect.objectContaining({ "content-type": "application/json", "x-trace": "abc" }), body: '{"id":7}', durationMs: expect.any(Number), requestBytes: 41 });
    expect(srv.seen).toHaveLength(1);
    const [req] = srv.seen;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/hooks/alert?severity=high&x=%C3%A9");
    expect(req.body).toBe('{"event":"ConsoleLogin","who":"JohnDoé"}');
    expect(req.headers).toMatchObject({
      "content-type": "application/json",
      "x-api-key": "k-123",
      "content-length": "41",
      "user-agent": "Conveyor",
      host: `receiver.test:${srv.port}`, // the URL decides the Host, not a header
    });
  });

  it.each(["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const)("sends %s", async (method) => {
    const srv = await receiver(ok(200, method === "HEAD" ? "" : "{}"));
    const c = callerWith({ policy: { allowPrivate: true } });
    const result = await call(c, { method, url: `http://127.0.0.1:${srv.port}/x`, headers: {}, ...(method === "HEAD" || method === "OPTIONS" ? {} : { body: "b" }) });
    expect(result).toMatchObject({ status: 200 });
    expect(srv.seen[0].method).toBe(method);
  });

  it("answers non-2xx statuses as statuses (the engine decides they are errors)", async () => {
    const srv = await receiver(ok(503, "<html>down</html>", { "content-type": "text/html" }));
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/`));
    expect(result).toMatchObject({ status: 503, body: "<html>down</html>" });
  });

  it("turns credentials in the URL into Basic auth", async () => {
    const srv = await receiver(ok());
    await call(callerWith({ policy: { allowPrivate: true } }), get(`http://bot:s%40cret@127.0.0.1:${srv.port}/`));
    expect(srv.seen[0].headers.authorization).toBe(`Basic ${Buffer.from("bot:s@cret").toString("base64")}`);
  });

  it("decodes gzip and the charset of the content type", async () => {
    const srv = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "application/json; charset=iso-8859-1", "content-encoding": "gzip" });
      res.end(zlib.gzipSync(Buffer.from('{"name":"Zoë"}', "latin1")));
    });
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/`));
    expect(result).toMatchObject({ status: 200, body: '{"name":"Zoë"}' });
    expect("headers" in result && result.headers["content-encoding"]).toBeFalsy();
  });

  it("performHttpCall makes one call with a caller of its own", async () => {
    const srv = await receiver(ok());
    const result = await performHttpCall({ request: get(`http://127.0.0.1:${srv.port}/`), timeoutMs: 2000, maxResponseBytes: 1000, policy: { allowPrivate: true } });
    expect(result).toMatchObject({ status: 200, body: '{"ok":true}' });
  });
});

describe("the SSRF guard", () => {
  it("blocks loopback by default, by literal and by name, before anything reaches the server", async () => {
    const srv = await receiver(ok());
    const resolve = table({ "innocent.test": ["127.0.0.1"] });
    const c = callerWith({ policy: { allowPrivate: false }, resolve });
    for (const url of [
      `http://127.0.0.1:${srv.port}/`,
      `http://2130706433:${srv.port}/`,
      `http://0x7f.1:${srv.port}/`,
      `http://[::ffff:127.0.0.1]:${srv.port}/`,
      `http://innocent.test:${srv.port}/`,
      `http://innocent.test.:${srv.port}/`,
    ]) {
      expect(failure(await call(c, get(url)))).toMatchObject({ error: "blocked", description: expect.stringMatching(/loopback/) });
    }
    expect(srv.seen).toHaveLength(0);
  });

  it("allowPrivate lets loopback through", async () => {
    const srv = await receiver(ok());
    expect(await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/`))).toMatchObject({ status: 200 });
    expect(srv.seen).toHaveLength(1);
  });

  it("allowHosts lets a named host or a CIDR through, and only those", async () => {
    const srv = await receiver(ok());
    const resolve = table({ "receiver.test": ["127.0.0.1"], "other.test": ["127.0.0.1"], "ten.test": ["127.0.0.1"] });
    const byName = callerWith({ policy: { allowPrivate: false, allowHosts: ["receiver.test"] }, resolve });
    expect(await call(byName, get(`http://receiver.test:${srv.port}/`))).toMatchObject({ status: 200 });
    expect(failure(await call(byName, get(`http://other.test:${srv.port}/`))).error).toBe("blocked");
    expect(failure(await call(byName, get(`http://127.0.0.1:${srv.port}/`))).error).toBe("blocked");
    await byName.close();
    const byCidr = callerWith({ policy: { allowPrivate: false, allowHosts: ["127.0.0.0/8"] }, resolve });
    expect(await call(byCidr, get(`http://other.test:${srv.port}/`))).toMatchObject({ status: 200 });
    expect(await call(byCidr, get(`http://127.0.0.1:${srv.port}/`))).toMatchObject({ status: 200 });
    expect(srv.seen).toHaveLength(3);
  });

  it("blocks a name that resolves to cloud metadata, even with private addresses allowed", async () => {
    const resolve = table({ "totally-legit.test": ["169.254.169.254"], "v6meta.test": ["fd00:ec2::254"] });
    const c = callerWith({ policy: { allowPrivate: true, allowHosts: ["totally-legit.test"] }, resolve });
    expect(failure(await call(c, get("http://totally-legit.test/latest/meta-data/iam/")))).toMatchObject({
      error: "blocked",
      description: expect.stringMatching(/169\.254\.169\.254.*always blocked/),
    });
    expect(failure(await call(c, get("http://v6meta.test/")))).toMatchObject({ error: "blocked" });
    expect(failure(await call(c, get("http://metadata.google.internal/computeMetadata/v1/")))).toMatchObject({ error: "blocked" });
    expect(resolve.calls["metadata.google.internal"]).toBeUndefined(); // refused by name, never resolved
  });

  it("blocks a name if ANY of its addresses is blocked, whichever comes first", async () => {
    const srv = await receiver(ok());
    const resolve = table({ "mixed.test": ["8.8.8.8", "127.0.0.1"], "mixed2.test": ["127.0.0.1", "8.8.8.8"] });
    const c = callerWith({ policy: { allowPrivate: false }, resolve });
    expect(failure(await call(c, get(`http://mixed.test:${srv.port}/`))).error).toBe("blocked");
    expect(failure(await call(c, get(`http://mixed2.test:${srv.port}/`))).error).toBe("blocked");
    expect(srv.seen).toHaveLength(0);
  });

  it("resolves once and connects to the address it checked (no DNS-rebinding gap)", async () => {
    const srv = await receiver(ok());
    let calls = 0;
    // First answer public, every later one loopback: a guard that checks, then lets the socket resolve again, would reach the server.
    const rebinding: Resolver = async () => (calls++ === 0 ? [{ address: "8.8.8.8", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]);
    const c = callerWith({ policy: { allowPrivate: false }, resolve: rebinding });
    const result = await call(c, get(`http://rebind.test:${srv.port}/`), { timeoutMs: 1500 });
    expect("error" in result).toBe(true); // 8.8.8.8 is unreachable from here (or answers); never the local server
    expect(calls).toBe(1);
    expect(srv.seen).toHaveLength(0);
  });

  it("refuses schemes other than http and https", async () => {
    const c = callerWith({ policy: { allowPrivate: true } });
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:6379/_FLUSHALL"]) {
      expect(failure(await call(c, get(url)))).toMatchObject({ error: "blocked", description: expect.stringMatching(/scheme is not allowed/) });
    }
  });
});

describe("redirects", () => {
  const redirectTo = (location: string, status = 302) => ok(status, "", { location });

  it("a redirect to the metadata address is blocked, with private addresses allowed", async () => {
    const srv = await receiver(redirectTo("http://169.254.169.254/latest/meta-data/"));
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/start`));
    expect(failure(result)).toMatchObject({ error: "blocked", description: expect.stringMatching(/^redirected to http:\/\/169\.254\.169\.254: /) });
    expect(srv.seen).toHaveLength(1);
  });

  it("a redirect to a name that resolves to metadata is blocked", async () => {
    const srv = await receiver(redirectTo("http://sneaky.test/latest/meta-data/", 307));
    const c = callerWith({ policy: { allowPrivate: true }, resolve: table({ "sneaky.test": ["169.254.169.254"] }) });
    expect(failure(await call(c, get(`http://127.0.0.1:${srv.port}/`)))).toMatchObject({ error: "blocked" });
  });

  it("a redirect from an allowed host to a private host that is not allowed is blocked", async () => {
    const inner = await receiver(ok());
    const outer = await receiver(redirectTo(`http://127.0.0.1:${inner.port}/admin`));
    const c = callerWith({ policy: { allowPrivate: false, allowHosts: ["outer.test"] }, resolve: table({ "outer.test": ["127.0.0.1"] }) });
    expect(failure(await call(c, get(`http://outer.test:${outer.port}/`)))).toMatchObject({ error: "blocked", description: expect.stringMatching(/loopback/) });
    expect(inner.seen).toHaveLength(0);
  });

  it("follows allowed redirects: 302 turns POST into GET without the body, 307 keeps both", async () => {
    const target = await receiver(ok(200, '{"landed":true}'));
    const via302 = await receiver(redirectTo(`http://127.0.0.1:${target.port}/after-302`, 302));
    const via307 = await receiver(redirectTo(`http://127.0.0.1:${target.port}/after-307`, 307));
    const c = callerWith({ policy: { allowPrivate: true } });
    const post = (url: string): HttpRequest => ({ method: "POST", url, headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(await call(c, post(`http://127.0.0.1:${via302.port}/`))).toMatchObject({ status: 200, body: '{"landed":true}' });
    expect(await call(c, post(`http://127.0.0.1:${via307.port}/`))).toMatchObject({ status: 200 });
    expect(target.seen.map((s) => [s.method, s.url, s.body, s.headers["content-type"]])).toEqual([
      ["GET", "/after-302", "", undefined],
      ["POST", "/after-307", '{"a":1}', "application/json"],
    ]);
  });

  it("keeps credentials on the same origin and drops them on another", async () => {
    const other = await receiver(ok());
    let first = true;
    const same = await receiver((_req, res) => {
      res.writeHead(302, { location: first ? "/again" : `http://127.0.0.1:${other.port}/elsewhere` });
      first = false;
      res.end();
    });
    const c = callerWith({ policy: { allowPrivate: true } });
    await call(c, get(`http://127.0.0.1:${same.port}/`, { Authorization: "Bearer secret-token", Cookie: "s=1", "X-Keep": "yes" }));
    expect(same.seen.map((s) => s.headers.authorization)).toEqual(["Bearer secret-token", "Bearer secret-token"]);
    expect(other.seen[0].headers.authorization).toBeUndefined();
    expect(other.seen[0].headers.cookie).toBeUndefined();
    expect(other.seen[0].headers["x-keep"]).toBe("yes");
  });

  it("stops after 5 redirects", async () => {
    const loop = await receiver(redirectTo("/again"));
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${loop.port}/`));
    expect(failure(result)).toMatchObject({ error: "failed_connect", description: "more than 5 redirects" });
    expect(loop.seen).toHaveLength(6);
  });
});

describe("limits and failures", () => {
  it("times out against a server that never answers", async () => {
    const srv = await receiver(() => {});
    const t0 = Date.now();
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/`), { timeoutMs: 400 });
    expect(failure(result)).toMatchObject({ error: "timeout", description: "no complete answer within 400 ms" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
  });

  it("the timeout covers the body: a server that trickles forever times out", async () => {
    const timers: NodeJS.Timeout[] = [];
    const srv = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      timers.push(setInterval(() => res.write("."), 50));
    });
    try {
      const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${srv.port}/`), { timeoutMs: 400 });
      expect(failure(result).error).toBe("timeout");
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it("stops reading past maxResponseBytes, with or without a Content-Length", async () => {
    const big = "x".repeat(2_000_000);
    const declared = await receiver(ok(200, big, { "content-type": "text/plain" }));
    const chunked = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
      for (let i = 0; i < 20; i++) res.write("y".repeat(100_000));
      res.end();
    });
    const c = callerWith({ policy: { allowPrivate: true } });
    expect(failure(await call(c, get(`http://127.0.0.1:${declared.port}/`), { maxResponseBytes: 1_000_000 }))).toMatchObject({ error: "response_too_large" });
    expect(failure(await call(c, get(`http://127.0.0.1:${chunked.port}/`), { maxResponseBytes: 1_000_000 }))).toMatchObject({ error: "response_too_large" });
    expect(await call(c, get(`http://127.0.0.1:${declared.port}/`), { maxResponseBytes: 2_000_000 })).toMatchObject({ status: 200 });
  });

  it("a gzip bomb stops at maxResponseBytes after decompression", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const bomber = await receiver((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(bomb);
    });
    const rss = process.memoryUsage().rss;
    const result = await call(callerWith({ policy: { allowPrivate: true } }), get(`http://127.0.0.1:${bomber.port}/`), { maxResponseBytes: 1_000_000 });
    expect(failure(result)).toMatchObject({ error: "response_too_large", description: expect.stringMatching(/decompressed/) });
    expect(process.memoryUsage().rss - rss).toBeLessThan(40 * 1024 * 1024);
  });

  it("refuses a request body over maxRequestBytes without sending it", async () => {
    const srv = await receiver(ok());
    const c = callerWith({ policy: { allowPrivate: true }, maxRequestBytes: 1000 });
    const result = await call(c, { method: "POST", url: `http://127.0.0.1:${srv.port}/`, headers: {}, body: "z".repeat(1001) });
    expect(failure(result)).toMatchObject({ error: "fatal", description: "the request body is 1001 bytes; the limit is 1000" });
    expect(srv.seen).toHaveLength(0);
  });

  it("a closed port, an unknown name and a bad URL are failed_connect", async () => {
    const srv = await receiver(ok());
    const port = srv.port;
    await srv.close();
    const c = callerWith({ policy: { allowPrivate: true }, resolve: table({}) });
    expect(failure(await call(c, get(`http://127.0.0.1:${port}/`)))).toMatchObject({ error: "failed_connect", description: expect.stringMatching(/ECONNREFUSED/) });
    expect(failure(await call(c, get("http://nowhere.test/")))).toMatchObject({ error: "failed_connect", description: expect.stringMatching(/ENOTFOUND/) });
    expect(failure(await call(c, get("not a url")))).toMatchObject({ error: "failed_connect", description: expect.stringMatching(/invalid URL/) });
  });

  it("an invalid allowHosts entry stops the caller from being created", () => {
    expect(() => createHttpCaller({ policy: { allowPrivate: false, allowHosts: ["10.0.0.0/40"] } })).toThrow(/allowHosts entry "10.0.0.0\/40"/);
  });
});

describe("client certificates (cert_pem)", () => {
  let dir: string;
  let pki: { ca: string; server: string; serverKey: string; client: string };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "conveyor-mtls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=Conveyor Test CA");
    for (const [name, cn] of [["server", "tls.test"], ["client", "conveyor-client"]]) {
      ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
      const ext = path.join(dir, `${name}.ext`);
      execFileSync("sh", ["-c", `printf 'subjectAltName=DNS:${cn}\\n' > ${ext}`]);
      ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "1", "-extfile", ext);
    }
    const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
    pki = { ca: read("ca.pem"), server: read("server.pem"), serverKey: read("server.key"), client: read("client.pem") + read("client.key") };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("presents the client certificate from cert_pem; without it the server refuses the handshake", async () => {
    const peers: string[] = [];
    const server = https.createServer({ key: pki.serverKey, cert: pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      peers.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
      res.end('{"mtls":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const c = callerWith({ policy: { allowPrivate: false, allowHosts: ["tls.test"] }, resolve: table({ "tls.test": ["127.0.0.1"] }), ca: [pki.ca] });
      expect(await call(c, get(`https://tls.test:${port}/`), { certPem: pki.client })).toMatchObject({ status: 200, body: '{"mtls":true}' });
      expect(peers).toEqual(["conveyor-client"]);
      expect(failure(await call(c, get(`https://tls.test:${port}/`))).error).toBe("failed_connect");
      // An untrusted server certificate is a connect failure too.
      const untrusting = createHttpCaller({ policy: { allowPrivate: true }, resolve: table({ "tls.test": ["127.0.0.1"] }) });
      try {
        expect(failure(await call(untrusting, get(`https://tls.test:${port}/`), { certPem: pki.client })).error).toBe("failed_connect");
      } finally {
        await untrusting.close();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/**
 * Carries out the engine's `httpCall` command (API Call blocks) behind the SSRF guard.
 *
 * Where the guard acts:
 * - before each hop (the first request and every redirect): scheme, metadata names, IP literals;
 * - at connect time: host names are resolved by our own `lookup`, which checks EVERY address the
 *   name resolves to and hands the socket only those checked addresses. There is no second
 *   resolution between the check and the connect, so DNS rebinding has no gap to use.
 * Redirects are followed here (never by undici), at most `maxRedirects`, each hop checked again.
 * One deadline covers resolution, connect, headers, redirects and the body.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { Agent, type Dispatcher } from "undici";
import type { HttpFailure, HttpRequest } from "../../engine/index.ts";
import { checkAddress, checkHostName, checkUrl, compilePolicy, type CompiledPolicy, type SsrfPolicy } from "./address-policy.ts";

/** The engine's `httpResult` payload without nodeId/visit. `busy` is the worker's (max_threads), never ours. */
export type HttpCallResult =
  | { status: number; headers: Record<string, string>; body: string; durationMs: number; requestBytes: number }
  | { error: Exclude<HttpFailure, "busy">; description: string; durationMs: number };

/** Resolves a host name to every address it has. The default asks the operating system (getaddrinfo). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface HttpCallerOptions {
  policy: SsrfPolicy;
  /** Injected in tests (there is no DNS server here); production uses the OS resolver. */
  resolve?: Resolver;
  /** Largest request body sent, in bytes. Default 5 MiB. */
  maxRequestBytes?: number;
  /** Redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  /** Extra CA certificates (PEM) trusted besides the system's; for private CAs and tests. */
  ca?: string[];
}

export interface HttpCallOptions {
  request: HttpRequest;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Client certificate and its private key in one PEM (Corezoid `cert_pem`), for mutual TLS. */
  certPem?: string;
}

export interface HttpCaller {
  /** Performs one call. Never rejects: every failure is an `{ error }` result. */
  call(options: HttpCallOptions): Promise<HttpCallResult>;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

/** Thrown by our lookup when a resolved address is refused; recognised when undici hands the error back. */
class BlockedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockedAddressError";
  }
}

/** The API Call failed in a way to report as an `{ error }` result (not a bug). */
class CallFailure extends Error {
  constructor(
    readonly failure: Exclude<HttpFailure, "busy">,
    message: string,
  ) {
    super(message);
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers the URL and the connection decide, not the process author. */
const DROPPED_REQUEST_HEADERS = new Set(["host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "content-length", "expect"]);
/** Credentials that must not follow a redirect to another origin (as fetch does). */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);
/** Client-certificate agents kept open; more distinct certificates than this reconnect more often, nothing else. */
const MAX_CERT_AGENTS = 16;

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Creates a caller whose connections all pass the SSRF guard of `policy`. The policy is fixed for
 * the caller's life, so pooled keep-alive connections were all checked under the same rules.
 * Throws if `policy.allowHosts` holds an invalid entry (a configuration mistake to fix at start-up).
 */
export function createHttpCaller(options: HttpCallerOptions): HttpCaller {
  const policy = compilePolicy(options.policy);
  const resolve = options.resolve ?? defaultResolve;
  const maxRequestBytes = options.maxRequestBytes ?? 5 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const agents = new Map<string, Agent>();

  const lookup = guardedLookup(policy, resolve);
  const agentFor = (certPem: string | undefined): Agent => {
    const key = certPem ?? "";
    let agent = agents.get(key);
    if (agent) return agent;
    if (agents.size >= MAX_CERT_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
      agents.delete(oldestKey);
      void oldest.close();
    }
    agent = new Agent({
      connect: { lookup, ...(options.ca ? { ca: options.ca } : {}), ...(certPem ? { cert: certPem, key: certPem } : {}) },
      // The call's own deadline governs; undici's per-phase timers would only fire later.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    agents.set(key, agent);
    return agent;
  };

  return {
    async call(call) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), call.timeoutMs);
      try {
        const result = await perform({ call, agent: agentFor(call.certPem), policy, maxRequestBytes, maxRedirects, signal: controller.signal });
        return { ...result, durationMs: elapsed() };
      } catch (error) {
        const { failure, description } = classifyError(error, controller.signal.aborted, call.timeoutMs);
        return { error: failure, description, durationMs: elapsed() };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}

/** One call with a caller of its own (no connection reuse). Workers keep one `createHttpCaller` instead. */
export async function performHttpCall(options: HttpCallOptions & HttpCallerOptions): Promise<HttpCallResult> {
  const caller = createHttpCaller(options);
  try {
    return await caller.call(options);
  } finally {
    await caller.close();
  }
}

async function perform(ctx: {
  call: HttpCallOptions;
  agent: Agent;
  policy: CompiledPolicy;
  maxRequestBytes: number;
  maxRedirects: number;
  signal: AbortSignal;
}): Promise<{ status: number; headers: Record<string, string>; body: string; requestBytes: number }> {
  const { call, agent, policy, signal } = ctx;
  let url: URL;
  try {
    url = new URL(call.request.url);
  } catch {
    throw new CallFailure("failed_connect", `invalid URL: ${JSON.stringify(call.request.url.slice(0, 200))}`);
  }
  let method: string = call.request.method;
  let body: Buffer | undefined = call.request.body === undefined ? undefined : Buffer.from(call.request.body, "utf8");
  const requestBytes = body?.length ?? 0;
  if (requestBytes > ctx.maxRequestBytes) throw new CallFailure("fatal", `the request body is ${requestBytes} bytes; the limit is ${ctx.maxRequestBytes}`);
  let headers = requestHeaders(call.request.headers, url);

  for (let hop = 0; ; hop++) {
    const verdict = checkUrl(url, policy);
    if (!verdict.ok) throw new CallFailure("blocked", hop === 0 ? verdict.reason : `redirected to ${url.origin}: ${verdict.reason}`);
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      signal,
    });
    const location = REDIRECT_STATUSES.has(response.statusCode) ? headerText(response.headers.location) : undefined;
    if (location === undefined) {
      const text = await readBody(response, call.maxResponseBytes, method);
      return { status: response.statusCode, headers: text.headers, body: text.body, requestBytes };
    }
    discard(response.body);
    if (hop >= ctx.maxRedirects) throw new CallFailure("failed_connect", `more than ${ctx.maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new CallFailure("failed_connect", `redirected to an invalid URL: ${JSON.stringify(location.slice(0, 200))}`);
    }
    // As browsers do: 303 turns anything but HEAD into GET; 301/302 turn POST into GET; 307/308 keep method and body.
    if ((response.statusCode === 303 && method !== "HEAD") || ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith("content-")));
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k)));
    url = next;
  }
}

function requestHeaders(given: Record<string, string>, url: URL): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    const key = name.toLowerCase();
    if (!DROPPED_REQUEST_HEADERS.has(key)) headers[key] = value;
  }
  // Credentials in the URL become Basic auth (undici would drop them silently).
  if (url.username && headers.authorization === undefined) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  headers["user-agent"] ??= "Conveyor";
  return headers;
}

const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliDecompress);

/**
 * Reads the body up to `limit` bytes, then decompresses gzip/deflate/br with the same limit on the
 * output (a small compressed bomb stops at the limit, not in memory). Other encodings stay as sent.
 */
async function readBody(response: Dispatcher.ResponseData, limit: number, method: string): Promise<{ headers: Record<string, string>; body: string }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    const text = headerText(value);
    if (text !== undefined) headers[name.toLowerCase()] = text;
  }
  if (method === "HEAD") {
    discard(response.body);
    return { headers, body: "" };
  }
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    discard(response.body);
    throw new CallFailure("response_too_large", `the response declares ${declared} bytes; the limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      discard(response.body);
      throw new CallFailure("response_too_large", `the response is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  let raw: Buffer = Buffer.concat(chunks, size);
  const encoding = (headers["content-encoding"] ?? "").trim().toLowerCase();
  if (raw.length > 0 && ["gzip", "x-gzip", "deflate", "br"].includes(encoding)) {
    raw = await decompress(raw, encoding, limit);
    delete headers["content-encoding"];
    delete headers["content-length"];
  }
  return { headers, body: decodeText(raw, headers["content-type"]) };
}

async function decompress(raw: Buffer, encoding: string, limit: number): Promise<Buffer> {
  const opts = { maxOutputLength: limit };
  try {
    if (encoding === "br") return await brotli(raw, opts);
    if (encoding === "deflate") return await inflate(raw, opts).catch(() => inflateRaw(raw, opts));
    return await gunzip(raw, opts);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new CallFailure("response_too_large", `the response is larger than ${limit} bytes once decompressed`);
    }
    throw new CallFailure("failed_connect", `the response's ${encoding} body is corrupt: ${(error as Error).message}`);
  }
}

function decodeText(raw: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? "")?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8").decode(raw);
  } catch {
    return new TextDecoder("utf-8").decode(raw); // an unknown charset label
  }
}

/** Drops a body we will not read. undici's body emits an AbortError on destroy; nobody else listens for it. */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * net.connect's `lookup`, used for every host name undici connects to: resolves, refuses the
 * connection if ANY address is blocked (a name that also points inside is not trusted), and
 * returns only checked addresses. IP literals never reach it; `checkUrl` judges them.
 */
function guardedLookup(policy: CompiledPolicy, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    (async (): Promise<LookupAddress[]> => {
      const named = checkHostName(hostname);
      if (!named.ok) throw new BlockedAddressError(named.reason);
      const found = await resolve(hostname);
      if (found.length === 0) throw Object.assign(new Error(`${hostname} has no addresses`), { code: "ENOTFOUND" });
      for (const { address } of found) {
        const verdict = checkAddress({ host: hostname, address, policy });
        if (!verdict.ok) throw new BlockedAddressError(verdict.reason);
      }
      const requested: unknown = options.family;
      const family = requested === "IPv4" ? 4 : requested === "IPv6" ? 6 : Number(requested) || 0;
      const usable = found.filter((a) => family === 0 || a.family === family).map((a) => ({ address: a.address, family: a.family }));
      if (usable.length === 0) throw Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: "ENOTFOUND" });
      return usable;
    })().then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family)),
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EPIPE", "EADDRNOTAVAIL",
  "UND_ERR_SOCKET", "UND_ERR_CLOSED", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_NOT_YET_VALID", "HOSTNAME_MISMATCH",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

function classifyError(error: unknown, timedOut: boolean, timeoutMs: number): { failure: Exclude<HttpFailure, "busy">; description: string } {
  // Our refusals win over the timeout: a blocked redirect that also ran late is still a refusal.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedAddressError) return { failure: "blocked", description: e.message };
    if (e instanceof CallFailure) return { failure: e.failure, description: e.message };
  }
  if (timedOut) return { failure: "timeout", description: `no complete answer within ${timeoutMs} ms` };
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  if (TIMEOUT_CODES.has(code)) return { failure: "timeout", description: message };
  if (CONNECT_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || /^ERR_OSSL/.test(code)) {
    return { failure: "failed_connect", description: `${code}: ${message}` };
  }
  return { failure: "fatal", description: code ? `${code}: ${message}` : message };
}

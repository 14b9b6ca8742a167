import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/**
 * Local stand-ins for the services alerts go to, for tests, the e2e suite and
 * the benchmark: an HTTP server (Slack, Teams, Telegram, Twilio, a webhook
 * consumer) recording every request and answering as the test says, and a
 * real SMTP server (smtp-server) keeping every mail it accepts.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status this receiver answered (set once the answer is written). */
  answered?: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the request hangs until the client gives up or dies). */
  hang?: boolean;
  delayMs?: number;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Changes how the next requests are answered. */
  answer(fn: (req: ReceivedRequest, index: number) => Answer): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startHttpReceiver(answer: (req: ReceivedRequest, index: number) => Answer = () => ({ status: 200, body: "ok" })): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let respond = answer;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      const index = requests.push(r) - 1;
      const a = respond(r, index);
      if (a.hang) return;
      const send = () => {
        res.writeHead(a.status ?? 200, { "content-type": "text/plain", ...a.headers });
        res.end(a.body ?? "", () => (r.answered = a.status ?? 200));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (fn) => void (respond = fn),
    waitForRequests: (n, timeoutMs = 15_000) => until(`${n} request(s) (got ${requests.length})`, () => requests.length >= n && requests.slice(), timeoutMs),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
  password?: string;
  /** The session was encrypted (TLS or after STARTTLS) when the mail came. */
  secure: boolean;
}

export interface SmtpReceiver {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** AUTH commands the server received (a client sending its password). */
  authAttempts: number;
  waitForMails(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1. With `login`, AUTH PLAIN/LOGIN is required and checked. With
 * `tls` (a key and certificate): `mode: "starttls"` offers STARTTLS on a plain connection,
 * `mode: "tls"` speaks TLS from the first byte; otherwise no TLS at all.
 */
export async function startSmtpReceiver({ login, tls }: { login?: { user: string; password: string }; tls?: { key: string; cert: string; mode: "starttls" | "tls" } } = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let authAttempts = 0;
  const server = new SMTPServer({
    secure: tls?.mode === "tls",
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    disabledCommands: [...(tls?.mode === "starttls" ? [] : ["STARTTLS"]), ...(login ? [] : ["AUTH"])],
    authOptional: !login,
    // With TLS, a client must not send its password before the session is encrypted.
    allowInsecureAuth: !tls,
    logger: false,
    // No reverse DNS of the client: it only slows each connection down by a lookup timeout here.
    disableReverseLookup: true,
    onAuth(auth, session, cb) {
      authAttempts++;
      if (login && auth.username === login.user && auth.password === login.password) return cb(null, { user: auth.username });
      cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          user: session.user as string | undefined,
          secure: Boolean(session.secure),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    mails,
    get authAttempts() {
      return authAttempts;
    },
    waitForMails: (n, timeoutMs = 15_000) => until(`${n} mail(s) (got ${mails.length})`, () => mails.length >= n && mails.slice(), timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The parts of a MIME message a test asserts on: headers (unfolded, lower-case
 * names) and the decoded text/plain and text/html bodies, from a nodemailer
 * multipart/alternative mail (quoted-printable, base64 or 7bit parts).
 */
export function parseMail(raw: string): { headers: Record<string, string>; text?: string; html?: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = parseHeaders(head);
  const body = rest.join("\r\n\r\n");
  const out: { headers: Record<string, string>; text?: string; html?: string } = { headers };
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] ?? "")?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [`${head}\r\n\r\n${body}`];
  for (const part of parts) {
    const [ph, ...pb] = part.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    const h = parseHeaders(ph);
    const decoded = decode(pb.join("\r\n\r\n").replace(/\r?\n$/, ""), h["content-transfer-encoding"] ?? "7bit");
    if (/^text\/plain/i.test(h["content-type"] ?? "")) out.text = decoded;
    if (/^text\/html/i.test(h["content-type"] ?? "")) out.html = decoded;
  }
  return out;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decode(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  if (enc === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (enc === "quoted-printable") {
    const bytes = body.replace(/=\r?\n/g, "").replace(/\r\n/g, "\n");
    return Buffer.from(bytes.replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  }
  return body.replace(/\r\n/g, "\n");
}

/** Decodes an RFC 2047 encoded-word header (Subject: =?UTF-8?Q?...?=). */
export function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=\s*/gi, (_, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
  );
}

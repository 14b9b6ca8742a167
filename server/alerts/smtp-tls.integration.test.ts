import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChannelSecrets, ChannelSettings } from "./channel-types.ts";
import type { MailContent } from "./formats.ts";
import { createSmtpMail } from "./smtp-mail.ts";
import { parseMail, startSmtpReceiver, type SmtpReceiver } from "./testing/receivers.ts";

/**
 * E-mail channels over TLS, against a real SMTP server on 127.0.0.1 with a
 * certificate for "localhost" from a CA made for this test (openssl): STARTTLS
 * (port 587's way) and TLS from the first byte (465's), each with a login. The
 * password only ever travels encrypted: a server that does not offer STARTTLS,
 * a certificate from an unknown CA or for another name all fail before AUTH.
 */
let dir: string;
let pki: { ca: string; key: string; cert: string };
const servers: SmtpReceiver[] = [];
const LOGIN = { user: "alerts@example.com", password: "smtp-password-123" };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "conveyor-smtp-tls-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Conveyor test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf");
  const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
  pki = { ca: read("ca.crt"), key: read("server.key"), cert: read("server.crt") };
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function server(...args: Parameters<typeof startSmtpReceiver>) {
  const s = await startSmtpReceiver(...args);
  servers.push(s);
  return s;
}

function channel(port: number, security: ChannelSettings<"email">["security"], host = "localhost") {
  const settings: ChannelSettings<"email"> = { host, port, security, username: LOGIN.user, from: "conveyor@example.com", to: ["oncall@example.com"] };
  const secrets: ChannelSecrets<"email"> = { password: LOGIN.password };
  return { id: `tls-${port}-${security}-${host}`, name: "mail", type: "email" as const, settings, secrets };
}

const MAIL: MailContent = {
  from: "conveyor@example.com", to: ["oncall@example.com"], subject: "[high] StopLogging by alice",
  text: "alice called StopLogging from 203.0.113.7", html: "<p>alice called StopLogging from 203.0.113.7</p>",
  messageId: "<alert-1@conveyor.test>", headers: { "X-Conveyor-Delivery": "alert-1" },
};

describe("SMTP over TLS", () => {
  it("STARTTLS: the session is encrypted before the login, and the mail arrives whole", async () => {
    const s = await server({ login: LOGIN, tls: { key: pki.key, cert: pki.cert, mode: "starttls" } });
    const mail = createSmtpMail({ policy: { allowPrivate: true }, ca: [pki.ca] });
    try {
      const res = await mail(channel(s.port, "starttls"), MAIL, 5_000);
      expect(res.response).toMatch(/^250/);
      const [got] = await s.waitForMails(1);
      expect(got).toMatchObject({ secure: true, user: LOGIN.user, to: ["oncall@example.com"] });
      const parsed = parseMail(got.raw);
      expect(parsed.headers.subject).toBe(MAIL.subject);
      expect(parsed.headers["x-conveyor-delivery"]).toBe("alert-1");
      expect(parsed.text?.trim()).toBe(MAIL.text);
    } finally {
      await mail.close();
    }
  });

  it("TLS from the first byte (security \"tls\", port 465's way)", async () => {
    const s = await server({ login: LOGIN, tls: { key: pki.key, cert: pki.cert, mode: "tls" } });
    const mail = createSmtpMail({ policy: { allowPrivate: true }, ca: [pki.ca] });
    try {
      await mail(channel(s.port, "tls"), MAIL, 5_000);
      const [got] = await s.waitForMails(1);
      expect(got).toMatchObject({ secure: true, user: LOGIN.user });
    } finally {
      await mail.close();
    }
  });

  it("refuses, before sending the password: a server that does not offer STARTTLS, an unknown CA, a certificate for another name", async () => {
    const plain = await server({ login: LOGIN });
    const tls = await server({ login: LOGIN, tls: { key: pki.key, cert: pki.cert, mode: "starttls" } });
    const trusting = createSmtpMail({ policy: { allowPrivate: true }, ca: [pki.ca] });
    const stranger = createSmtpMail({ policy: { allowPrivate: true } });
    try {
      await expect(trusting(channel(plain.port, "starttls"), MAIL, 5_000)).rejects.toThrow(/STARTTLS/i);
      await expect(stranger(channel(tls.port, "starttls"), MAIL, 5_000)).rejects.toThrow(/certificate/i);
      // 127.0.0.1 is not a name the certificate carries.
      await expect(trusting(channel(tls.port, "starttls", "127.0.0.1"), MAIL, 5_000)).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i);
      expect(plain.authAttempts + tls.authAttempts).toBe(0);
      expect(plain.mails.length + tls.mails.length).toBe(0);
    } finally {
      await trusting.close();
      await stranger.close();
    }
  });
});

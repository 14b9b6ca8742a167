import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import nodemailer, { type Transporter } from "nodemailer";
import { checkAddress, checkHostName, compilePolicy, type SsrfPolicy } from "../http/address-policy.ts";
import type { MailSend } from "./senders.ts";

/**
 * E-mail through each channel's SMTP server with nodemailer: one pooled
 * transport per channel (re-created when its settings or password change),
 * the SSRF guard of server/http (the host is resolved and checked, and the
 * connection goes to the checked address with the name kept for TLS).
 * Certificates are verified against Node's CAs (add a private CA with
 * NODE_EXTRA_CA_CERTS) or, given `ca`, against those.
 */
export function createSmtpMail({ policy, ca }: { policy: SsrfPolicy; ca?: string[] }): MailSend & { close(): Promise<void> } {
  const compiled = compilePolicy(policy);
  const transports = new Map<string, { fingerprint: string; transport: Transporter }>();

  async function checkedAddress(host: string): Promise<string> {
    const name = checkHostName(host);
    if (!name.ok) throw blocked(host, name.reason);
    const addr = isIP(host) ? host : (await lookup(host)).address;
    const verdict = checkAddress({ host, address: addr, policy: compiled });
    if (!verdict.ok) throw blocked(host, verdict.reason);
    return addr;
  }

  const send: MailSend = async (channel, mail, timeoutMs) => {
    const { settings, secrets } = channel;
    const address = await checkedAddress(settings.host);
    const fingerprint = createHash("sha256").update(JSON.stringify([settings, secrets.password ?? "", address, timeoutMs])).digest("hex");
    let entry = transports.get(channel.id);
    if (!entry || entry.fingerprint !== fingerprint) {
      entry?.transport.close();
      const transport = nodemailer.createTransport({
        host: address, port: settings.port,
        secure: settings.security === "tls", requireTLS: settings.security === "starttls", ignoreTLS: settings.security === "none",
        tls: { servername: isIP(settings.host) ? undefined : settings.host, ...(ca ? { ca } : {}) },
        auth: settings.username ? { user: settings.username, pass: secrets.password ?? "" } : undefined,
        pool: true, maxConnections: 3,
        connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
      });
      entry = { fingerprint, transport };
      transports.set(channel.id, entry);
    }
    const info = await entry.transport.sendMail({
      from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId, headers: mail.headers,
    });
    return { response: String(info.response ?? "") };
  };
  return Object.assign(send, {
    close: async () => {
      for (const { transport } of transports.values()) transport.close();
      transports.clear();
    },
  });
}

/** EBLOCKED: the delivery code treats it as final (retrying cannot help). */
function blocked(host: string, reason: string): Error {
  return Object.assign(new Error(`refused SMTP host ${host}: ${reason}`), { code: "EBLOCKED" });
}

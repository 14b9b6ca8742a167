/**
 * The SSRF guard's decisions, pure: which addresses and URLs an API Call may reach.
 *
 * Three classes of address:
 * - always blocked, whatever the policy: cloud metadata, link-local, "this network", multicast,
 *   broadcast, documentation/benchmark/reserved ranges, and IPv6 forms that hide an IPv4 address
 *   we cannot judge (Teredo, deprecated IPv4-compatible);
 * - private (loopback, RFC 1918, CGNAT, ULA, site-local): blocked unless the policy allows private
 *   addresses or `allowHosts` names the host or a CIDR containing the address;
 * - public: everything else.
 * IPv6 forms that embed an IPv4 address (mapped, SIIT, NAT64, 6to4) are judged by that address.
 *
 * Inputs are canonical address strings: URL hostnames (the WHATWG parser has already turned
 * `2130706433`, `0x7f.1` or `0177.0.0.1` into `127.0.0.1`) and resolver answers.
 */
import { isIP } from "node:net";

export interface SsrfPolicy {
  /** Let API calls reach private addresses (loopback, 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7...). */
  allowPrivate: boolean;
  /** Exact host names, IP addresses or CIDRs that may be private even when allowPrivate is false. Never unblocks the always-blocked ranges. */
  allowHosts?: string[];
}

export type Verdict = { ok: true } | { ok: false; reason: string };

type Ip = { family: 4; value: number } | { family: 6; words: number[] };
type Range = { family: 4; base: number; bits: number } | { family: 6; words: number[]; bits: number };
type AddressClass = { kind: "public" } | { kind: "private" | "blocked"; label: string };

/** A policy checked and parsed once (at start-up), so a typo in allowHosts fails loudly instead of blocking or allowing silently. */
export interface CompiledPolicy {
  allowPrivate: boolean;
  hosts: Set<string>;
  ranges: Range[];
}

export const ALLOWED_SCHEMES = new Set(["http:", "https:"]);

/** Names of metadata services, refused before any resolution (they also resolve to blocked addresses inside the clouds). */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal", "metadata.azure.com"]);

const range = (cidr: string, kind: "private" | "blocked", label: string) => ({ range: parseCidr(cidr)!, kind, label });

// Order matters: the first matching range decides (exact metadata addresses before the private range holding them).
const V4_RANGES = [
  range("100.100.100.200/32", "blocked", "Alibaba Cloud metadata"),
  range("0.0.0.0/8", "blocked", "'this network' (0.0.0.0/8)"),
  range("169.254.0.0/16", "blocked", "link-local / cloud metadata (169.254.0.0/16)"),
  range("192.0.0.0/24", "blocked", "IETF protocol assignments (192.0.0.0/24, incl. Oracle Cloud metadata)"),
  range("192.0.2.0/24", "blocked", "documentation (192.0.2.0/24)"),
  range("198.51.100.0/24", "blocked", "documentation (198.51.100.0/24)"),
  range("203.0.113.0/24", "blocked", "documentation (203.0.113.0/24)"),
  range("192.88.99.0/24", "blocked", "6to4 relay anycast (192.88.99.0/24)"),
  range("198.18.0.0/15", "blocked", "benchmarking (198.18.0.0/15)"),
  range("224.0.0.0/4", "blocked", "multicast (224.0.0.0/4)"),
  range("240.0.0.0/4", "blocked", "reserved / broadcast (240.0.0.0/4)"),
  range("127.0.0.0/8", "private", "loopback (127.0.0.0/8)"),
  range("10.0.0.0/8", "private", "private (10.0.0.0/8)"),
  range("172.16.0.0/12", "private", "private (172.16.0.0/12)"),
  range("192.168.0.0/16", "private", "private (192.168.0.0/16)"),
  range("100.64.0.0/10", "private", "carrier-grade NAT (100.64.0.0/10)"),
];

const V6_RANGES = [
  range("::/128", "blocked", "unspecified address (::)"),
  range("::1/128", "private", "loopback (::1)"),
  range("fd00:ec2::/32", "blocked", "AWS metadata, DNS and NTP (fd00:ec2::/32)"),
  range("fe80::/10", "blocked", "link-local (fe80::/10)"),
  range("ff00::/8", "blocked", "multicast (ff00::/8)"),
  range("100::/64", "blocked", "discard-only (100::/64)"),
  range("2001::/23", "blocked", "IETF protocol assignments incl. Teredo (2001::/23)"),
  range("2001:db8::/32", "blocked", "documentation (2001:db8::/32)"),
  range("64:ff9b:1::/48", "private", "local-use NAT64 (64:ff9b:1::/48)"),
  range("fc00::/7", "private", "unique local (fc00::/7)"),
  range("fec0::/10", "private", "site-local (fec0::/10)"),
];

/** Parses and checks a policy; throws an Error naming the bad allowHosts entry (an operator's configuration mistake). */
export function compilePolicy(policy: SsrfPolicy): CompiledPolicy {
  const hosts = new Set<string>();
  const ranges: Range[] = [];
  for (const raw of policy.allowHosts ?? []) {
    const entry = raw.trim();
    if (entry === "") continue;
    const bare = stripBrackets(entry);
    const family = isIP(bare);
    const asRange = entry.includes("/") ? parseCidr(entry) : family ? parseCidr(`${bare}/${family === 4 ? 32 : 128}`) : null;
    if (asRange) {
      ranges.push(asRange);
      continue;
    }
    if (entry.includes("/")) throw new Error(`allowHosts entry "${raw}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd12::/16)`);
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i.test(entry)) {
      throw new Error(`allowHosts entry "${raw}" is neither a host name, an IP address nor a CIDR`);
    }
    hosts.add(normalizeHost(entry));
  }
  return { allowPrivate: policy.allowPrivate, hosts, ranges };
}

/**
 * Whether an API call may go to `url` before any name resolution: the scheme, metadata host names
 * and IP literals. A host name that passes here is checked again, address by address, when it is
 * resolved (see `checkAddress`).
 */
export function checkUrl(url: URL, policy: CompiledPolicy): Verdict {
  if (!ALLOWED_SCHEMES.has(url.protocol)) return { ok: false, reason: `the ${url.protocol.replace(/:$/, "")} scheme is not allowed; use http or https` };
  const host = stripBrackets(url.hostname);
  if (isIP(host)) return checkAddress({ host, address: host, policy });
  return checkHostName(host);
}

/** Refuses metadata service names whatever they resolve to. */
export function checkHostName(host: string): Verdict {
  const name = normalizeHost(host);
  if (name === "") return { ok: false, reason: "the URL has no host" };
  if (METADATA_NAMES.has(name)) return { ok: false, reason: `${name} is a cloud metadata service` };
  return { ok: true };
}

/** Whether a connection to `address` (reached through the name `host`) is allowed. */
export function checkAddress({ host, address, policy }: { host: string; address: string; policy: CompiledPolicy }): Verdict {
  const ip = parseIp(address);
  if (!ip) return { ok: false, reason: `${address} is not an IP address` };
  const cls = classify(ip);
  if (cls.kind === "public") return { ok: true };
  const shown = host === address ? address : `${host} (${address})`;
  if (cls.kind === "blocked") return { ok: false, reason: `${shown} is ${cls.label}, which is always blocked` };
  if (policy.allowPrivate || policy.hosts.has(normalizeHost(host))) return { ok: true };
  const candidates = [ip, embeddedV4(ip)].filter((x): x is Ip => x !== null);
  if (policy.ranges.some((r) => candidates.some((c) => inRange(c, r)))) return { ok: true };
  return { ok: false, reason: `${shown} is ${cls.label}; allow private addresses or add the host to the allowed hosts to reach it` };
}

/** Classifies an address string: "public", or "private"/"blocked" with a label. Exported for tests and diagnostics. */
export function classifyAddress(address: string): AddressClass | null {
  const ip = parseIp(address);
  return ip ? classify(ip) : null;
}

function classify(ip: Ip): AddressClass {
  if (ip.family === 4) {
    const hit = V4_RANGES.find((r) => inRange(ip, r.range));
    return hit ? { kind: hit.kind, label: hit.label } : { kind: "public" };
  }
  const inner = embeddedV4(ip);
  if (inner) {
    const c = classify(inner);
    return c.kind === "public" ? c : { kind: c.kind, label: `${c.label} inside an IPv6 address` };
  }
  const hit = V6_RANGES.find((r) => inRange(ip, r.range));
  if (hit) return { kind: hit.kind, label: hit.label };
  // ::/96 (deprecated IPv4-compatible) and everything outside global unicast 2000::/3 is not routable on purpose.
  if ((ip.words[0] & 0xe000) !== 0x2000) return { kind: "blocked", label: "a reserved IPv6 address" };
  return { kind: "public" };
}

/** The IPv4 address an IPv6 address stands for: mapped ::ffff:0:0/96, SIIT ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16. */
function embeddedV4(ip: Ip): Ip | null {
  if (ip.family !== 6) return null;
  const w = ip.words;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const low = (hi: number, lo: number): Ip => ({ family: 4, value: ((hi << 16) | lo) >>> 0 });
  if (zeros(0, 5) && w[5] === 0xffff) return low(w[6], w[7]);
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) return low(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return low(w[6], w[7]);
  if (w[0] === 0x2002) return low(w[1], w[2]);
  return null;
}

function inRange(ip: Ip, range: Range): boolean {
  if (ip.family === 4 && range.family === 4) {
    if (range.bits === 0) return true;
    const mask = (0xffffffff << (32 - range.bits)) >>> 0;
    return ((ip.value & mask) >>> 0) === ((range.base & mask) >>> 0);
  }
  if (ip.family === 6 && range.family === 6) {
    for (let i = 0, left = range.bits; left > 0; i++, left -= 16) {
      const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
      if ((ip.words[i] & mask) !== (range.words[i] & mask)) return false;
    }
    return true;
  }
  return false;
}

function parseCidr(text: string): Range | null {
  const [addr, bitsText, extra] = text.split("/");
  if (extra !== undefined || bitsText === undefined || !/^\d{1,3}$/.test(bitsText)) return null;
  const ip = parseIp(addr);
  const bits = Number(bitsText);
  if (!ip || bits > (ip.family === 4 ? 32 : 128)) return null;
  return ip.family === 4 ? { family: 4, base: ip.value, bits } : { family: 6, words: ip.words, bits };
}

/** Parses a canonical IPv4 dotted quad or any IPv6 text form (zone ids dropped, embedded dotted quads accepted). */
export function parseIp(text: string): Ip | null {
  const s = stripBrackets(text).replace(/%.*$/, "");
  const kind = isIP(s);
  if (kind === 4) {
    const parts = s.split(".").map(Number);
    return { family: 4, value: ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0 };
  }
  if (kind !== 6) return null;
  let head = s;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const inner = parseIp(dotted[1]);
    if (!inner || inner.family !== 4) return null;
    tail.push(inner.value >>> 16, inner.value & 0xffff);
    head = s.slice(0, -dotted[1].length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const hex = (part: string) => (part === "" ? [] : part.split(":").map((h) => parseInt(h, 16)));
  const l = hex(left);
  const r = right === undefined ? [] : hex(right);
  const fill = 8 - l.length - r.length - tail.length;
  if (fill < 0 || (right === undefined && fill !== 0)) return null;
  return { family: 6, words: [...l, ...Array<number>(fill).fill(0), ...r, ...tail] };
}

function stripBrackets(s: string): string {
  return s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
}

/** Lower case without trailing dots: `Metadata.Google.Internal.` and `metadata.google.internal` are one host. */
export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.+$/, "");
}

/** The SSRF guard's pure decisions: address classes, policy exceptions and URL literals. */
import { describe, expect, it } from "vitest";
import { checkAddress, checkUrl, classifyAddress, compilePolicy, parseIp } from "./address-policy.ts";

const strict = compilePolicy({ allowPrivate: false });
const open = compilePolicy({ allowPrivate: true });

const verdict = (address: string, policy = strict, host = address) => checkAddress({ host, address, policy });

describe("address classes", () => {
  it.each([
    "169.254.169.254", "169.254.0.1", "100.100.100.200", "0.0.0.0", "0.1.2.3", "192.0.0.192", "224.0.0.1", "239.255.255.250",
    "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "192.88.99.1",
    "fe80::1", "fe80::1%eth0", "febf::1", "fd00:ec2::254", "fd00:ec2::23", "ff02::1", "::", "2001:db8::1", "2001::1", "100::1",
    "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::ffff:0:a9fe:a9fe", "::7f00:1", "4000::1",
  ])("%s is always blocked, even with private addresses allowed", (address) => {
    expect(classifyAddress(address)?.kind).toBe("blocked");
    expect(verdict(address, open).ok).toBe(false);
    expect(verdict(address, compilePolicy({ allowPrivate: true, allowHosts: ["0.0.0.0/0", "::/0", address] })).ok).toBe(false);
  });

  it.each([
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
    "100.127.255.255", "::1", "fc00::1", "fd12:3456::1", "fec0::1", "64:ff9b:1::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:c0a8:101::1",
  ])("%s is private: blocked by default, allowed with allowPrivate", (address) => {
    expect(classifyAddress(address)?.kind).toBe("private");
    const refused = verdict(address);
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/allow private addresses or add the host/) });
    expect(verdict(address, open)).toEqual({ ok: true });
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1", "169.253.255.255", "192.169.0.1", "2606:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "%s is public",
    (address) => {
      expect(classifyAddress(address)).toEqual({ kind: "public" });
      expect(verdict(address)).toEqual({ ok: true });
    },
  );

  it("parses every IPv6 text form to the same words", () => {
    const words = (s: string) => (parseIp(s) as { words: number[] }).words;
    expect(words("::ffff:127.0.0.1")).toEqual(words("0:0:0:0:0:ffff:7f00:1"));
    expect(words("[::1]")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(words("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIp("not an ip")).toBeNull();
    expect(parseIp("256.0.0.1")).toBeNull();
  });
});

describe("allowHosts", () => {
  const policy = compilePolicy({ allowPrivate: false, allowHosts: ["receiver.internal", "10.1.0.0/16", "127.0.0.1", "fd12::/16", " Hooks.Corp. "] });

  it("lets a named host reach the private addresses it resolves to", () => {
    expect(verdict("10.9.9.9", policy, "receiver.internal")).toEqual({ ok: true });
    expect(verdict("10.9.9.9", policy, "RECEIVER.internal.")).toEqual({ ok: true });
    expect(verdict("10.9.9.9", policy, "hooks.corp")).toEqual({ ok: true });
    expect(verdict("10.9.9.9", policy, "other.internal").ok).toBe(false);
  });

  it("lets addresses inside an allowed CIDR or equal to an allowed IP through, whatever the name", () => {
    expect(verdict("10.1.200.3", policy, "any.name")).toEqual({ ok: true });
    expect(verdict("10.2.0.1", policy, "any.name").ok).toBe(false);
    expect(verdict("127.0.0.1", policy)).toEqual({ ok: true });
    expect(verdict("127.0.0.2", policy).ok).toBe(false);
    expect(verdict("::ffff:127.0.0.1", policy)).toEqual({ ok: true });
    expect(verdict("fd12:1::5", policy)).toEqual({ ok: true });
    expect(verdict("fd13::5", policy).ok).toBe(false);
  });

  it("never unblocks metadata or link-local, even for a named host", () => {
    expect(verdict("169.254.169.254", policy, "receiver.internal").ok).toBe(false);
  });

  it.each(["10.0.0.0/33", "10.0.0.0/8/1", "300.1.1.1/8", "bad host name", "http://x.test", "x.test:8080"])("refuses the entry %j at start-up", (entry) => {
    expect(() => compilePolicy({ allowPrivate: false, allowHosts: [entry] })).toThrow(/allowHosts entry/);
  });
});

describe("checkUrl", () => {
  it.each([
    ["decimal IPv4", "http://2130706433/"],
    ["hex IPv4", "http://0x7f.1/"],
    ["octal IPv4", "http://0177.0.0.1/"],
    ["short IPv4", "http://127.1/"],
    ["percent-encoded IPv4", "http://%31%32%37.0.0.1/"],
    ["IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]/"],
    ["expanded IPv4-mapped IPv6", "http://[0:0:0:0:0:ffff:7f00:1]/"],
    ["IPv6 loopback", "http://[::1]:8080/"],
    ["localhost-ish IPv4 with port", "https://127.0.0.1:9200/_cat"],
  ])("a %s literal for loopback is private", (_what, url) => {
    expect(checkUrl(new URL(url), strict)).toEqual({ ok: false, reason: expect.stringMatching(/loopback/) });
    expect(checkUrl(new URL(url), open)).toEqual({ ok: true });
  });

  it.each([
    ["metadata IP with a trailing dot", "http://169.254.169.254./latest/meta-data/"],
    ["decimal metadata IP", "http://2852039166/"],
    ["mapped metadata IP", "http://[::ffff:a9fe:a9fe]/"],
    ["GCP metadata name", "http://metadata.google.internal/computeMetadata/v1/"],
    ["GCP metadata name, trailing dot and capitals", "http://Metadata.Google.Internal./"],
    ["AWS IPv6 metadata", "http://[fd00:ec2::254]/"],
    ["Alibaba metadata", "http://100.100.100.200/latest/meta-data/"],
  ])("the %s is blocked with private addresses allowed", (_what, url) => {
    expect(checkUrl(new URL(url), open).ok).toBe(false);
  });

  it.each(["file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:6379/_INFO", "data:text/plain,hi", "ws://example.com/"])("the scheme of %s is refused", (url) => {
    expect(checkUrl(new URL(url), open)).toEqual({ ok: false, reason: expect.stringMatching(/scheme is not allowed/) });
  });

  it("lets public literals and names through (names are checked again at resolution)", () => {
    expect(checkUrl(new URL("https://8.8.8.8/dns"), strict)).toEqual({ ok: true });
    expect(checkUrl(new URL("https://hooks.slack.com/services/x"), strict)).toEqual({ ok: true });
  });
});

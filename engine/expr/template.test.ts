import { describe, expect, it } from "vitest";
import { evaluateValueMap } from "./cast.ts";
import { TemplateError } from "./errors.ts";
import type { Lookup, TemplateScope } from "./scope.ts";
import { renderTemplate, resolveTemplate } from "./template.ts";
import { MISSING } from "./path.ts";

// 2024-01-15 10:20:30 UTC
const NOW = Date.UTC(2024, 0, 15, 10, 20, 30);

function scope(data: Record<string, unknown>, lookup: Lookup = {}, random = () => 0.5): TemplateScope {
  return {
    data,
    root: { task_id: "t-1", ref: "r-1", conv_id: "42", node_id: "n-2", prev_node_id: "n-1", create_time: 100, change_time: 200, user_id: 7 },
    processId: "42",
    lookup,
    nowMs: NOW,
    random,
  };
}

const r = (tpl: string, data: Record<string, unknown> = {}, lookup?: Lookup) => renderTemplate(tpl, scope(data, lookup));

describe("templates: parameters", () => {
  it("reads nested paths and array elements", () => {
    const data = { a: { b: [{ c: "deep" }] }, list: [1, 2, 3] };
    expect(r("{{a.b[0].c}}", data)).toBe("deep");
    expect(r("x={{list[2]}}", data)).toBe("x=3");
  });

  it("gives an empty string for a missing path", () => {
    expect(r("[{{nope}}][{{a.b.c}}][{{list[9]}}]", { a: 1, list: [] })).toBe("[][][]");
  });

  it("reads escaped keys with literal dots and brackets", () => {
    expect(r("{{result.SUPPDOCUMENT\\.CODE}}", { result: { "SUPPDOCUMENT.CODE": "X1" } })).toBe("X1");
    expect(r("{{a\\[0\\]}}", { "a[0]": "lit" })).toBe("lit");
  });

  it("falls back to a flat dotted key when there is no nested one", () => {
    expect(r("{{userIdentity.userName}}", { "userIdentity.userName": "flat" })).toBe("flat");
  });

  it("supports dynamic keys and indexes", () => {
    const data = { k: "b", obj: { b: "via-key" }, i: 1, arr: ["zero", "one", "two"] };
    expect(r("{{obj[{{k}}]}}", data)).toBe("via-key");
    expect(r("{{arr[$.math({{i}}+1)]}}", data)).toBe("two");
  });

  it("prints objects and arrays as JSON, numbers and booleans plainly", () => {
    expect(r("{{o}} {{a}} {{n}} {{b}} {{z}}", { o: { x: 1 }, a: ["i-1", "i-2"], n: 1.5, b: false, z: null })).toBe('{"x":1} ["i-1","i-2"] 1.5 false null');
  });

  it("never re-reads parameter values as template syntax", () => {
    expect(r("{{v}}", { v: "{{secret}} $.math(1+1)", secret: "no" })).toBe("{{secret}} $.math(1+1)");
  });

  it("leaves unclosed braces and unknown functions as text", () => {
    expect(r("{{a", { a: 1 })).toBe("{{a");
    expect(r("$.nope(1) $.math(1+", {})).toBe("$.nope(1) $.math(1+");
  });

  it("reads root system fields", () => {
    expect(r("{{root.task_id}}|{{root.ref}}|{{root.conv_id}}|{{root.node_id}}|{{root.prev_node_id}}|{{root.create_time}}|{{root.change_time}}|{{root.user_id}}|{{root.end_time}}"))
      .toBe("t-1|r-1|42|n-2|n-1|100|200|7|");
  });

  it("reads node counts, sums and state-diagram tasks through the lookup, '' when unknown", () => {
    const lookup: Lookup = {
      nodeCount: ({ processId, nodeId }) => (processId === "42" && nodeId === "q" ? 7 : processId === "9" ? 3 : undefined),
      nodeSum: ({ nodeId, sumId }) => (nodeId === "s" && sumId === "total" ? 12.5 : undefined),
      stateTask: ({ processId, ref }) => (processId === "77" && ref === "user-1" ? { status: "blocked", tags: ["a"] } : undefined),
    };
    expect(r("{{node[q].count}}", {}, lookup)).toBe("7");
    expect(r("{{conv[9].node[q].count}}", {}, lookup)).toBe("3");
    expect(r("{{node[s].total}}", {}, lookup)).toBe("12.5");
    expect(r("{{conv[77].ref[user-1].status}}", {}, lookup)).toBe("blocked");
    expect(r("{{conv[77].ref[user-1].tags[0]}}", {}, lookup)).toBe("a");
    expect(r("{{conv[77].ref[{{who}}].status}}", { who: "user-1" }, lookup)).toBe("blocked");
    expect(r("[{{conv[77].ref[ghost].status}}][{{node[x].count}}]", {}, lookup)).toBe("[][]");
    expect(r("[{{node[q].count}}]", {}, {})).toBe("[]");
  });

  it("keeps the type of a whole-value placeholder", () => {
    const s = scope({ o: { x: [1] }, n: 5 });
    expect(resolveTemplate("{{o}}", s)).toEqual({ x: [1] });
    expect(resolveTemplate("{{n}}", s)).toBe(5);
    expect(resolveTemplate("{{missing}}", s)).toBe(MISSING);
    expect(resolveTemplate(" {{o}}", s)).toBe(' {"x":[1]}');
  });
});

describe("templates: functions", () => {
  it("$.math evaluates + - * / with precedence, parentheses and parameters", () => {
    expect(r("$.math(1+2*3)")).toBe("7");
    expect(r("$.math((1+2)*3)")).toBe("9");
    expect(r("$.math(({{a}}-{{b}})/4)", { a: 10, b: 4 })).toBe("1.5");
    expect(r("$.math(-2*-3)")).toBe("6");
    expect(r("$.math(0.1+0.2)")).toBe("0.3");
    expect(r("total: $.math($.math(2*2)+1)!")).toBe("total: 5!");
  });

  it("$.math refuses anything but arithmetic", () => {
    expect(() => r("$.math(1/0)")).toThrow(TemplateError);
    expect(() => r("$.math({{x}}+1)", { x: "process.exit()" })).toThrow(TemplateError);
    expect(() => r("$.math(2**3)")).toThrow(TemplateError);
  });

  it("$.unixtime gives now, shifted components, fixed times and time zones", () => {
    const nowSec = NOW / 1000;
    expect(r("$.unixtime()")).toBe(String(nowSec));
    expect(r("$.unixtime(%y-%m-%d %h:%i+60:%s)")).toBe(String(nowSec + 3600));
    expect(r("$.unixtime(%y-%m-%d 02:00:00)")).toBe(String(Date.UTC(2024, 0, 15, 2, 0, 0) / 1000));
    // 02:00 in Kyiv (UTC+2 in January) is 00:00 UTC.
    expect(r("$.unixtime(%y-%m-%d 02:00:00).tz('Europe/Kiev')")).toBe(String(Date.UTC(2024, 0, 15, 0, 0, 0) / 1000));
    expect(() => r("$.unixtime().tz('Mars/Base')")).not.toThrow();
    expect(() => r("$.unixtime(%y-%m-%d 02:00:00).tz('Mars/Base')")).toThrow(TemplateError);
  });

  it("$.unixtime reads an ISO-8601 UTC time such as CloudTrail's eventTime (T and Z separate the literal fields)", () => {
    expect(r("$.unixtime({{eventTime}})", { eventTime: "2023-07-10T12:01:27Z" })).toBe(String(Date.UTC(2023, 6, 10, 12, 1, 27) / 1000));
    expect(r("$.unixtime({{eventTime}})", { eventTime: "2024-02-29T23:59:59Z" })).toBe(String(Date.UTC(2024, 1, 29, 23, 59, 59) / 1000));
    // Fractions of a second are a seventh field: refused, not misread.
    expect(() => r("$.unixtime({{eventTime}})", { eventTime: "2023-07-10T12:01:27.123Z" })).toThrow(TemplateError);
    // No time at all is now.
    expect(r("$.unixtime({{eventTime}})", {})).toBe(String(NOW / 1000));
  });

  it("$.date formats with per-component shifts and zones", () => {
    expect(r("$.date(%y-%m-%d %h:%i:%s)")).toBe("2024-01-15 10:20:30");
    expect(r("$.date(%y-%m-%d+20)")).toBe("2024-02-04");
    expect(r("$.date(%h:%i).tz('Europe/Kiev')")).toBe("12:20");
  });

  it("$.random uses the injected source: 0 gives 0, N gives 1..N, -N gives -1..-N", () => {
    const s = (rand: number) => scope({}, {}, () => rand);
    expect(renderTemplate("$.random(0)", s(0.9))).toBe("0");
    expect(renderTemplate("$.random(10)", s(0))).toBe("1");
    expect(renderTemplate("$.random(10)", s(0.999))).toBe("10");
    expect(renderTemplate("$.random(-10)", s(0.5))).toBe("-6");
  });

  it("hashes and base64 of the (substituted) argument", () => {
    expect(r("$.md5_hex(abc)")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(r("$.sha1_hex({{v}})", { v: "abc" })).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(r("$.sha256_hex(abc)")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(r("$.sha512_hex(abc)")).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    expect(r("$.sha1(abc)")).toBe("qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    expect(r("$.base64_encode({{v}})", { v: "héllo" })).toBe("aMOpbGxv");
    expect(r("$.base64_decode(aMOpbGxv)")).toBe("héllo");
  });
});

describe("value maps (extra + extra_type)", () => {
  it("casts each value to its declared type", () => {
    const res = evaluateValueMap(
      { s: "{{n}}", n: "{{n}}", b: "true", a: '["x"]', o: "{{obj}}", nested: "{{n}}" },
      { s: "string", n: "number", b: "boolean", a: "array", o: "object", nested: "number" },
      scope({ n: "12", obj: { k: 1 } }),
    );
    expect(res.ok && Object.fromEntries(res.entries.map((e) => [e.key, e.value]))).toEqual({ s: "12", n: 12, b: true, a: ["x"], o: { k: 1 }, nested: 12 });
  });

  it("reports the first value that does not cast", () => {
    const res = evaluateValueMap({ o: "{{s}}" }, { o: "object" }, scope({ s: "plain" }));
    expect(res).toEqual({ ok: false, failure: { param: "o", value: "plain", type: "object" } });
  });

  it("renders template keys", () => {
    const res = evaluateValueMap({ "{{k}}": "v" }, {}, scope({ k: "dyn" }));
    expect(res.ok && res.entries[0].key).toBe("dyn");
  });
});

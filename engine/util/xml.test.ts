import { describe, expect, it } from "vitest";
import { jsonToXml, xmlToJson } from "./xml.ts";

describe("XML convention (@attr, #value, repeated elements)", () => {
  it("writes attributes, text, nested and repeated elements, escaping text", () => {
    expect(jsonToXml({ req: { "@v": "2", user: { "@id": "7", "#value": "a & b" }, tag: ["x", "y"] } }))
      .toBe('<?xml version="1.0" encoding="UTF-8"?><req v="2"><user id="7">a &amp; b</user><tag>x</tag><tag>y</tag></req>');
  });

  it("reads the same convention back, with entities, CDATA and comments", () => {
    expect(xmlToJson('<?xml version="1.0"?><!-- c --><r a="1"><t>x &lt; y</t><t><![CDATA[<raw>]]></t><e/><n k="v">text</n></r>'))
      .toEqual({ r: { "@a": "1", t: ["x < y", "<raw>"], e: "", n: { "@k": "v", "#value": "text" } } });
  });

  it("returns null for malformed XML", () => {
    expect(xmlToJson("<a><b></a>")).toBeNull();
    expect(xmlToJson("<a>")).toBeNull();
    expect(xmlToJson("not xml")).toBeNull();
  });
});

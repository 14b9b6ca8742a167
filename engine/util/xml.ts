/**
 * Corezoid's JSON ⇄ XML convention for API calls: the root key is the root tag, `@name`
 * keys are attributes, `#value` is text, arrays repeat the element.
 */
import { isPlainObject, type JsonObject } from "./json.ts";

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const text = (v: unknown) => (typeof v === "string" ? v : v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

function element(tag: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => element(tag, v)).join("");
  if (!isPlainObject(value)) return `<${tag}>${escapeXml(text(value))}</${tag}>`;
  let attrs = "";
  let inner = "";
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("@")) attrs += ` ${k.slice(1)}="${escapeXml(text(v))}"`;
    else if (k === "#value") inner += escapeXml(text(v));
    else inner += element(k, v);
  }
  return `<${tag}${attrs}>${inner}</${tag}>`;
}

/** `{"root": {...}}` → `<?xml ...?><root>...</root>`. Several top-level keys become siblings. */
export function jsonToXml(value: JsonObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${Object.entries(value).map(([k, v]) => element(k, v)).join("")}`;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (ENTITIES[e] ?? m));

/** Parses XML into the same convention; returns null for malformed input. Namespaces stay in tag names. */
export function xmlToJson(xml: string): JsonObject | null {
  let pos = 0;
  const src = xml;
  const skipTo = (marker: string) => {
    const end = src.indexOf(marker, pos);
    if (end < 0) throw new Error("unterminated");
    pos = end + marker.length;
  };
  const skipMisc = () => {
    for (;;) {
      while (pos < src.length && /\s/.test(src[pos])) pos++;
      if (src.startsWith("<?", pos)) skipTo("?>");
      else if (src.startsWith("<!--", pos)) skipTo("-->");
      else if (src.startsWith("<!DOCTYPE", pos)) skipTo(">");
      else return;
    }
  };
  function parseElement(): [string, unknown] {
    const open = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(src.slice(pos));
    if (!open) throw new Error("bad tag");
    pos += open[0].length;
    const [, tag, attrText, selfClose] = open;
    const obj: JsonObject = {};
    for (const m of attrText.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) obj[`@${m[1]}`] = decode(m[2] ?? m[3]);
    let textValue = "";
    let children = 0;
    if (!selfClose) {
      for (;;) {
        if (pos >= src.length) throw new Error("unterminated");
        if (src.startsWith("</", pos)) {
          const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(src.slice(pos));
          if (!close || close[1] !== tag) throw new Error("mismatched close");
          pos += close[0].length;
          break;
        }
        if (src.startsWith("<![CDATA[", pos)) {
          const end = src.indexOf("]]>", pos);
          if (end < 0) throw new Error("unterminated cdata");
          textValue += src.slice(pos + 9, end);
          pos = end + 3;
        } else if (src.startsWith("<!--", pos)) {
          skipTo("-->");
        } else if (src[pos] === "<") {
          const [k, v] = parseElement();
          children++;
          if (k in obj) obj[k] = Array.isArray(obj[k]) ? [...(obj[k] as unknown[]), v] : [obj[k], v];
          else obj[k] = v;
        } else {
          const next = src.indexOf("<", pos);
          const end = next < 0 ? src.length : next;
          textValue += decode(src.slice(pos, end));
          pos = end;
        }
      }
    }
    const trimmed = textValue.trim();
    if (children === 0 && Object.keys(obj).length === 0) return [tag, trimmed];
    if (trimmed) obj["#value"] = trimmed;
    return [tag, obj];
  }
  try {
    skipMisc();
    const [tag, value] = parseElement();
    skipMisc();
    if (pos < src.length) return null;
    return { [tag]: value };
  } catch {
    return null;
  }
}

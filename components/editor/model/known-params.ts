/**
 * Parameter names an operator may mean while typing a template: the process's
 * described parameters, names the scheme writes (Set Parameter keys, API
 * response mappings), names it reads (conditions, `{{...}}` anywhere), and
 * Corezoid's system fields.
 */
import type { ProcessParam, ProcessScheme } from "@/engine/index";

export const ROOT_FIELDS = ["root.task_id", "root.ref", "root.conv_id", "root.node_id", "root.prev_node_id", "root.create_time", "root.change_time", "root.end_time", "root.user_id"];

/** Template functions offered after `$.`, with a ready-to-edit snippet. */
export const TEMPLATE_FUNCTIONS: ReadonlyArray<{ name: string; snippet: string; help: string }> = [
  { name: "math", snippet: "$.math({{a}} + 1)", help: "arithmetic: + − * / and parentheses" },
  { name: "unixtime", snippet: "$.unixtime()", help: "current unix time (seconds); %y-%m-%d %h:%i:%s with +N per component" },
  { name: "date", snippet: "$.date(%y-%m-%d %h:%i:%s)", help: "formatted current date" },
  { name: "random", snippet: "$.random(100)", help: "random whole number 1..N" },
  { name: "sha1_hex", snippet: "$.sha1_hex({{a}})", help: "SHA-1 as hex" },
  { name: "sha256_hex", snippet: "$.sha256_hex({{a}})", help: "SHA-256 as hex" },
  { name: "md5_hex", snippet: "$.md5_hex({{a}})", help: "MD5 as hex" },
  { name: "base64_encode", snippet: "$.base64_encode({{a}})", help: "Base64 of the text" },
  { name: "base64_decode", snippet: "$.base64_decode({{a}})", help: "text of Base64" },
];

const TEMPLATE_REF = /\{\{\s*([^{}]+?)\s*\}\}/g;

function readsIn(value: unknown, out: Set<string>): void {
  if (typeof value === "string") {
    for (const m of value.matchAll(TEMPLATE_REF)) if (!m[1].startsWith("root.") && !m[1].includes("[")) out.add(m[1]);
  } else if (Array.isArray(value)) value.forEach((v) => readsIn(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => readsIn(v, out));
}

export function knownParams(scheme: ProcessScheme, params: readonly ProcessParam[] = []): string[] {
  const out = new Set<string>(params.map((p) => p.name).filter(Boolean));
  for (const node of scheme.nodes) {
    for (const logic of node.condition.logics) {
      const l = logic as Record<string, unknown>;
      if (logic.type === "set_param" || logic.type === "api_rpc" || logic.type === "api_code") {
        for (const k of Object.keys((l.extra as object) ?? {})) if (!k.includes("{{")) out.add(k);
      }
      if (logic.type === "api" && l.response) for (const k of Object.keys(l.response as object)) out.add(k);
      if (logic.type === "go_if_const") {
        for (const c of logic.conditions) {
          const bare = c.param.replace(/^\{\{\s*|\s*\}\}$/g, "");
          if (bare && !bare.includes("{{") && !bare.startsWith("root.")) out.add(bare);
        }
      }
      readsIn(logic, out);
    }
  }
  return [...out].sort((a, b) => a.localeCompare(b));
}

/**
 * What to offer at the caret: after an open `{{`, parameter names matching
 * what was typed since; after `$.`, template functions. `replaceFrom` is the
 * index where the accepted suggestion's text starts.
 */
export function suggestAt(text: string, caret: number, names: readonly string[]): { replaceFrom: number; items: Array<{ label: string; insert: string; help?: string }> } | null {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{{");
  if (open >= 0 && before.indexOf("}}", open) === -1) {
    const typed = before.slice(open + 2).trimStart().toLowerCase();
    const all = [...names, ...ROOT_FIELDS];
    // Names that start with what was typed first, then names that contain it.
    const rank = (n: string) => (n.toLowerCase().startsWith(typed) ? 0 : 1);
    const items = all.filter((n) => n.toLowerCase().includes(typed)).sort((a, b) => rank(a) - rank(b)).slice(0, 12).map((n) => ({ label: n, insert: `{{${n}}}` }));
    return items.length ? { replaceFrom: open, items } : null;
  }
  const fn = /\$\.(\w*)$/.exec(before);
  if (fn) {
    const items = TEMPLATE_FUNCTIONS.filter((f) => f.name.startsWith(fn[1].toLowerCase())).map((f) => ({ label: `$.${f.name}`, insert: f.snippet, help: f.help }));
    return items.length ? { replaceFrom: caret - fn[0].length, items } : null;
  }
  return null;
}

/**
 * Templates: `{{path}}` placeholders (nested: `{{obj[{{k}}]}}`), system fields `{{root.*}}`,
 * node and state-diagram reads, and `$.fn(...)` functions (`$.math({{a}}+1)`, `$.unixtime().tz('Europe/Kiev')`).
 *
 * A template is parsed once into a tree, then evaluated: parameter values never get
 * re-parsed as template syntax, so data containing `{{` or `)` is inert.
 */
import { tryParseJson } from "../util/json.ts";
import { TEMPLATE_FUNCTIONS } from "./functions.ts";
import { formatNumber } from "./math.ts";
import { getPath, MISSING, parsePath, type Missing, type PathSegment } from "./path.ts";
import type { TemplateScope } from "./scope.ts";

export type TemplateNode =
  | { kind: "text"; text: string }
  | { kind: "param"; path: TemplateNode[] }
  | { kind: "fn"; name: string; args: TemplateNode[]; tz?: TemplateNode[] };

interface Parsed {
  nodes: TemplateNode[];
  end: number;
  closed: boolean;
}

const FN_HEAD = /^\$\.([a-z0-9_]+)\(/;
const TZ_HEAD = /^\.tz\(/;

function pushText(nodes: TemplateNode[], text: string) {
  const last = nodes[nodes.length - 1];
  if (last?.kind === "text") last.text += text;
  else nodes.push({ kind: "text", text });
}

/** Parses from `start` until `stop` ("}}" or ")") at depth 0, or the end of input when stop is null. */
function parseSeq(src: string, start: number, stop: "}}" | ")" | null): Parsed {
  const nodes: TemplateNode[] = [];
  let i = start;
  let depth = 0;
  while (i < src.length) {
    if (stop === "}}" && src.startsWith("}}", i)) return { nodes, end: i + 2, closed: true };
    if (stop === ")" && src[i] === ")" && depth === 0) return { nodes, end: i + 1, closed: true };
    if (src.startsWith("{{", i)) {
      const inner = parseSeq(src, i + 2, "}}");
      if (inner.closed) {
        nodes.push({ kind: "param", path: inner.nodes });
        i = inner.end;
        continue;
      }
      pushText(nodes, "{{");
      i += 2;
      continue;
    }
    if (src[i] === "$") {
      const head = FN_HEAD.exec(src.slice(i, i + 40));
      if (head && Object.prototype.hasOwnProperty.call(TEMPLATE_FUNCTIONS, head[1])) {
        const args = parseSeq(src, i + head[0].length, ")");
        if (args.closed) {
          const fn: TemplateNode = { kind: "fn", name: head[1], args: args.nodes };
          i = args.end;
          if (TZ_HEAD.test(src.slice(i, i + 4))) {
            const tz = parseSeq(src, i + 4, ")");
            if (tz.closed) {
              fn.tz = tz.nodes;
              i = tz.end;
            }
          }
          nodes.push(fn);
          continue;
        }
      }
    }
    const c = src[i];
    if (stop === ")") {
      if (c === "(") depth++;
      else if (c === ")") depth--;
    }
    pushText(nodes, c);
    i++;
  }
  return { nodes, end: i, closed: stop === null };
}

const cache = new Map<string, TemplateNode[]>();
const CACHE_MAX = 5000;

/** Parses a template (memoised: schemes repeat the same strings for every task). */
export function parseTemplate(src: string): TemplateNode[] {
  let nodes = cache.get(src);
  if (!nodes) {
    nodes = parseSeq(src, 0, null).nodes;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(src, nodes);
  }
  return nodes;
}

/** Whether a string holds any placeholder or function (a "dynamic" value). */
export function isDynamic(src: string): boolean {
  return parseTemplate(src).some((n) => n.kind !== "text");
}

/** How a value prints inside text: objects and arrays as JSON, a missing value as "". */
export function toText(value: unknown): string {
  if (value === MISSING || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value);
}

function evalSeq(nodes: readonly TemplateNode[], scope: TemplateScope): string {
  let out = "";
  for (const n of nodes) out += toText(evalNode(n, scope));
  return out;
}

function evalNode(node: TemplateNode, scope: TemplateScope): unknown {
  switch (node.kind) {
    case "text":
      return node.text;
    case "param":
      return resolveReference(evalSeq(node.path, scope), scope);
    case "fn": {
      const arg = evalSeq(node.args, scope);
      const tz = node.tz ? evalSeq(node.tz, scope).trim().replace(/^['"]|['"]$/g, "") : undefined;
      return TEMPLATE_FUNCTIONS[node.name](arg, { nowMs: scope.nowMs, random: scope.random, tz: tz || undefined });
    }
  }
}

const isBracket = (s: PathSegment | undefined, key?: string) => !!s && (key === undefined ? s.bracket : !s.bracket && s.key === key);

/**
 * Resolves the text inside `{{ }}`: `root.*`, `node[id].count|SumID`,
 * `conv[id].node[id].count|SumID`, `conv[id].ref[r](.path)`, `env_var[@name](.path)`, or a task path.
 */
export function resolveReference(pathText: string, scope: TemplateScope): unknown | Missing {
  const segs = parsePath(pathText);
  if (segs.length === 0) return MISSING;
  const [s0, s1, s2, s3, s4] = segs;
  if (!s0.bracket && s0.key === "root" && segs.length === 2) {
    const v = (scope.root as unknown as Record<string, unknown>)[s1.key];
    return v === undefined || v === null ? MISSING : v;
  }
  if (isBracket(s0, "node") && isBracket(s1) && segs.length === 3) {
    return nodeRead(scope, scope.processId, s1.key, s2.key);
  }
  if (isBracket(s0, "conv") && isBracket(s1)) {
    if (isBracket(s2, "node") && isBracket(s3) && segs.length === 5) return nodeRead(scope, s1.key, s3.key, s4.key);
    if (isBracket(s2, "ref") && isBracket(s3)) {
      const task = scope.lookup.stateTask?.({ processId: s1.key, ref: s3.key });
      if (task === undefined) return MISSING;
      return segs.length === 4 ? task : getPath(task, segs.slice(4));
    }
  }
  if (isBracket(s0, "env_var") && isBracket(s1)) {
    const raw = scope.lookup.envVar?.(s1.key.replace(/^@/, ""));
    if (raw === undefined) return MISSING;
    if (segs.length === 2) return raw;
    const parsed = tryParseJson(raw);
    return parsed.ok ? getPath(parsed.value, segs.slice(2)) : MISSING;
  }
  return getPath(scope.data, segs);
}

function nodeRead(scope: TemplateScope, processId: string, nodeId: string, field: string): unknown | Missing {
  const v = field === "count"
    ? scope.lookup.nodeCount?.({ processId, nodeId })
    : scope.lookup.nodeSum?.({ processId, nodeId, sumId: field });
  return v === undefined ? MISSING : v;
}

/** Renders a template to text. Throws `TemplateError` when a function fails. */
export function renderTemplate(src: string, scope: TemplateScope): string {
  const nodes = parseTemplate(src);
  if (nodes.length === 1 && nodes[0].kind === "text") return nodes[0].text;
  return evalSeq(nodes, scope);
}

/**
 * Evaluates a template keeping the type of a whole-value placeholder: `"{{obj}}"` gives the
 * object itself (or `MISSING`), anything else gives text. Throws `TemplateError`.
 */
export function resolveTemplate(src: string, scope: TemplateScope): unknown | Missing {
  const nodes = parseTemplate(src);
  if (nodes.length === 1 && nodes[0].kind === "param") return evalNode(nodes[0], scope);
  return renderTemplate(src, scope);
}

/**
 * What a scheme reads from outside the task (`{{node[id].count}}`, `{{node[id].SumID}}`,
 * `{{conv[id].node[id].count}}`, `{{conv[id].ref[r].p}}`, `{{env_var[@name]}}`), so the
 * worker can prefetch it before a step and answer `Lookup` from memory. References whose
 * ids are themselves templates cannot be known in advance: they are not listed, and a
 * lookup that cannot answer them makes them render as "".
 */
import type { TemplateNode } from "../expr/template.ts";
import { parseTemplate } from "../expr/template.ts";
import { parsePath } from "../expr/path.ts";
import type { ProcessScheme, SchemeNode } from "../model/scheme.ts";

export type LookupRequest =
  | { kind: "nodeCount"; processId: string; nodeId: string }
  | { kind: "nodeSum"; processId: string; nodeId: string; sumId: string }
  | { kind: "stateTask"; processId: string; ref: string }
  | { kind: "envVar"; name: string };

function strings(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
}

function collect(nodes: readonly TemplateNode[], processId: string, out: Map<string, LookupRequest>): void {
  for (const n of nodes) {
    if (n.kind === "fn") {
      collect(n.args, processId, out);
      if (n.tz) collect(n.tz, processId, out);
      continue;
    }
    if (n.kind !== "param") continue;
    collect(n.path, processId, out);
    if (!n.path.every((p) => p.kind === "text")) continue;
    const req = classify(n.path.map((p) => (p.kind === "text" ? p.text : "")).join(""), processId);
    if (req) out.set(JSON.stringify(req), req);
  }
}

function classify(pathText: string, processId: string): LookupRequest | null {
  const s = parsePath(pathText);
  const plain = (i: number, key: string) => s[i] && !s[i].bracket && s[i].key === key;
  const bracket = (i: number) => s[i]?.bracket === true;
  const nodeRead = (conv: string, nodeId: string, field: string): LookupRequest =>
    field === "count" ? { kind: "nodeCount", processId: conv, nodeId } : { kind: "nodeSum", processId: conv, nodeId, sumId: field };
  if (plain(0, "node") && bracket(1) && s.length === 3) return nodeRead(processId, s[1].key, s[2].key);
  if (plain(0, "conv") && bracket(1)) {
    if (plain(2, "node") && bracket(3) && s.length === 5) return nodeRead(s[1].key, s[3].key, s[4].key);
    if (plain(2, "ref") && bracket(3)) return { kind: "stateTask", processId: s[1].key, ref: s[3].key };
  }
  if (plain(0, "env_var") && bracket(1)) return { kind: "envVar", name: s[1].key.replace(/^@/, "") };
  return null;
}

/**
 * Lists the static outside reads of a scheme (or of some of its nodes). `processId` is the
 * scheme's own process, used for `{{node[id]...}}` without a `conv[...]` prefix.
 */
export function listSchemeLookups(scheme: ProcessScheme, options: { processId: string; nodeIds?: readonly string[] }): LookupRequest[] {
  const only = options.nodeIds ? new Set(options.nodeIds) : null;
  const out = new Map<string, LookupRequest>();
  const texts: string[] = [];
  const nodes: SchemeNode[] = only ? scheme.nodes.filter((n) => only.has(n.id)) : scheme.nodes;
  for (const node of nodes) {
    strings(node.condition.logics, texts);
    for (const s of node.condition.semaphors ?? []) if (typeof s.value === "string") texts.push(s.value);
  }
  for (const t of texts) if (t.includes("{{")) collect(parseTemplate(t), options.processId, out);
  return [...out.values()];
}

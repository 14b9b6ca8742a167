/**
 * Pure edits of a process scheme in Corezoid's format: every function takes
 * a scheme and returns a new one (unchanged nodes keep their identity, so the
 * canvas re-renders only what changed). Edits patch the fields they own and
 * keep everything else — unknown keys of imported logics survive editing.
 */
import { NODE_TYPES, PALETTE, type PaletteBlock, type ProcessScheme, type SchemeNode } from "@/engine/index";
import { newNodeId } from "./ids";

export type Scheme = ProcessScheme;
type Logic = SchemeNode["condition"]["logics"][number];
type Semaphor = NonNullable<SchemeNode["condition"]["semaphors"]>[number];

/** What the palette adds: a block of the engine's palette, or a node kind of its own. */
export type NewNodeKind = PaletteBlock | "final-success" | "final-error" | "escalation";

export const NODE_KIND_ENTRIES: ReadonlyArray<{ kind: NewNodeKind; title: string; description: string }> = [
  { kind: "final-success", title: "Final: success", description: "A task ends here successfully; the counter is a running total." },
  { kind: "final-error", title: "Final: error", description: "A task ends here as an error." },
  { kind: "escalation", title: "Escalation", description: "The target of error exits: route on the error fields (retry, alert)." },
];

const extra = (modeForm: "collapse" | "expand", icon = "") => JSON.stringify({ modeForm, icon });

/** A new node of a kind at a position. Links are left empty for the operator to draw. */
export function makeNode(kind: NewNodeKind, position: { x: number; y: number }, id = newNodeId()): SchemeNode {
  const base = { id, description: "", x: Math.round(position.x), y: Math.round(position.y) };
  switch (kind) {
    case "final-success":
    case "final-error": {
      const success = kind === "final-success";
      return { ...base, obj_type: NODE_TYPES.final, title: success ? "Final" : "Error", extra: extra("collapse", success ? "success" : "error"), options: JSON.stringify({ save_task: true }), condition: { logics: [], semaphors: [] } } as SchemeNode;
    }
    case "escalation":
      return {
        ...base, obj_type: NODE_TYPES.escalation, title: "Escalation", extra: extra("collapse"),
        condition: { logics: [{ type: "go_if_const", to_node_id: "", conditions: [{ param: "__conveyor_api_return_type_error__", const: "hardware", fun: "eq", cast: "string" }] }, { type: "go", to_node_id: "" }], semaphors: [] },
      } as SchemeNode;
    default: {
      const entry = PALETTE.find((p) => p.block === kind);
      if (!entry) throw new Error(`no palette block ${kind}`);
      const { logics, semaphors } = entry.template();
      const node = { ...base, obj_type: NODE_TYPES.normal, title: entry.title, extra: extra("expand", kind === "set_state" ? "state" : ""), condition: { logics, semaphors } } as SchemeNode;
      // A Set State waits indefinitely: its own go back to itself means "stay".
      if (kind === "set_state") node.condition.logics.push({ type: "go", to_node_id: id } as Logic);
      return node;
    }
  }
}

export function addNode(scheme: Scheme, node: SchemeNode): Scheme {
  return { ...scheme, nodes: [...scheme.nodes, node] };
}

function mapNode(scheme: Scheme, id: string, fn: (n: SchemeNode) => SchemeNode): Scheme {
  let changed = false;
  const nodes = scheme.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = fn(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...scheme, nodes } : scheme;
}

export function updateNode(scheme: Scheme, id: string, patch: Partial<SchemeNode> | ((n: SchemeNode) => SchemeNode)): Scheme {
  return mapNode(scheme, id, (n) => (typeof patch === "function" ? patch(n) : { ...n, ...patch }));
}

export function setLogics(node: SchemeNode, logics: Logic[]): SchemeNode {
  return { ...node, condition: { ...node.condition, logics } };
}

export function setSemaphors(node: SchemeNode, semaphors: Semaphor[]): SchemeNode {
  return { ...node, condition: { ...node.condition, semaphors } };
}

/** Replaces fields of one logic, keeping its other (possibly unknown) keys. */
export function patchLogic(scheme: Scheme, nodeId: string, index: number, patch: Record<string, unknown>): Scheme {
  return mapNode(scheme, nodeId, (n) => setLogics(n, n.condition.logics.map((l, i) => (i === index ? ({ ...l, ...patch } as Logic) : l))));
}

/**
 * Writes a connection: the field behind the source handle (see ports.ts)
 * gets the target id. Connecting `next` on a node without a `go` appends one.
 */
export function connect(scheme: Scheme, { source, handle, target }: { source: string; handle: string; target: string }): Scheme {
  return mapNode(scheme, source, (n) => {
    const logics = n.condition.logics;
    if (handle === "next") {
      // The node's exit is its last go (a Set State's self-go means "stay" and is not it).
      const i = findExitGo(n);
      if (i >= 0) return setLogics(n, logics.map((l, j) => (j === i ? ({ ...l, to_node_id: target } as Logic) : l)));
      return setLogics(n, [...logics, { type: "go", to_node_id: target } as Logic]);
    }
    const branch = /^(cond|err)-(\d+)$/.exec(handle);
    if (branch) {
      const i = Number(branch[2]);
      const field = branch[1] === "cond" ? "to_node_id" : "err_node_id";
      if (!logics[i]) return n;
      return setLogics(n, logics.map((l, j) => (j === i ? ({ ...l, [field]: target } as Logic) : l)));
    }
    if (handle === "timeout" || handle === "escalation") {
      const type = handle === "timeout" ? "time" : "count";
      const field = handle === "timeout" ? "to_node_id" : "esc_node_id";
      return setSemaphors(n, (n.condition.semaphors ?? []).map((s) => (s.type === type ? ({ ...s, [field]: target } as Semaphor) : s)));
    }
    return n;
  });
}

function findExitGo(n: SchemeNode): number {
  const logics = n.condition.logics;
  for (let i = logics.length - 1; i >= 0; i--) {
    const l = logics[i];
    if (l.type === "go" && !(l.to_node_id === n.id && logics.some((x) => x.type === "api_callback"))) return i;
  }
  return -1;
}

/** Clears the field behind an edge (`source:logicIndex:kind` or `source:timeout|escalation`, as engine edges name them). */
export function disconnect(scheme: Scheme, edgeId: string): Scheme {
  const m = /^(.+?):(?:(\d+):)?(next|condition|error|timeout|escalation)$/.exec(edgeId);
  if (!m) return scheme;
  const [, source, index, kind] = m;
  const handle = kind === "next" ? "next" : kind === "condition" ? `cond-${index}` : kind === "error" ? `err-${index}` : kind;
  if (kind === "next") {
    // Clear exactly the go the edge names, not whichever go is last.
    return mapNode(scheme, source, (n) => setLogics(n, n.condition.logics.map((l, j) => (j === Number(index) ? ({ ...l, to_node_id: "" } as Logic) : l))));
  }
  return connect(scheme, { source, handle, target: "" });
}

/** Every link of `node` that points into `ids`, cleared. */
function clearLinksTo(node: SchemeNode, ids: ReadonlySet<string>): SchemeNode {
  let changed = false;
  const logics = node.condition.logics.map((l) => {
    const rec = l as Record<string, unknown>;
    let next = l;
    for (const field of ["to_node_id", "err_node_id"] as const) {
      if (typeof rec[field] === "string" && ids.has(rec[field] as string)) {
        next = { ...next, [field]: "" } as Logic;
        changed = true;
      }
    }
    return next;
  });
  const semaphors = (node.condition.semaphors ?? []).map((s) => {
    const field = s.type === "time" ? "to_node_id" : "esc_node_id";
    const target = (s as Record<string, unknown>)[field];
    if (typeof target === "string" && ids.has(target)) {
      changed = true;
      return { ...s, [field]: "" } as Semaphor;
    }
    return s;
  });
  return changed ? { ...node, condition: { ...node.condition, logics, semaphors } } : node;
}

/**
 * Removes nodes and clears the links that pointed at them (they become open
 * ports that validation reports, instead of dangling ids). The Start node stays.
 */
export function removeNodes(scheme: Scheme, ids: Iterable<string>): Scheme {
  const gone = new Set([...ids].filter((id) => scheme.nodes.find((n) => n.id === id)?.obj_type !== NODE_TYPES.start));
  if (gone.size === 0) return scheme;
  return { ...scheme, nodes: scheme.nodes.filter((n) => !gone.has(n.id)).map((n) => clearLinksTo(n, gone)) };
}

export function moveNodes(scheme: Scheme, positions: Record<string, { x: number; y: number }>): Scheme {
  let changed = false;
  const nodes = scheme.nodes.map((n) => {
    const p = positions[n.id];
    if (!p) return n;
    const x = Math.round(p.x);
    const y = Math.round(p.y);
    if (n.x === x && n.y === y) return n;
    changed = true;
    return { ...n, x, y };
  });
  return changed ? { ...scheme, nodes } : scheme;
}

/** Rewrites the ids of links with `map`; a link to a node outside the map is cleared. */
export function remapLinks(node: SchemeNode, map: ReadonlyMap<string, string>): SchemeNode {
  const remap = (v: unknown) => (typeof v === "string" && v ? (map.get(v) ?? "") : v);
  return {
    ...node,
    condition: {
      ...node.condition,
      logics: node.condition.logics.map((l) => {
        const rec = { ...l } as Record<string, unknown>;
        if ("to_node_id" in rec) rec.to_node_id = remap(rec.to_node_id);
        if ("err_node_id" in rec) rec.err_node_id = remap(rec.err_node_id);
        return rec as Logic;
      }),
      semaphors: (node.condition.semaphors ?? []).map((s) => (s.type === "time" ? { ...s, to_node_id: remap(s.to_node_id) } : { ...s, esc_node_id: remap(s.esc_node_id) }) as Semaphor),
    },
  };
}

/**
 * Adds copies of `nodes` with new ids, moved by `offset`: links among the
 * copies follow them, links to nodes that were not copied are cleared. A
 * Start node is not pasted when the scheme has one (a process has exactly one).
 */
export function pasteNodes(scheme: Scheme, nodes: SchemeNode[], offset: { x: number; y: number }): { scheme: Scheme; ids: string[] } {
  const hasStart = scheme.nodes.some((n) => n.obj_type === NODE_TYPES.start);
  const pasted = nodes.filter((n) => !(hasStart && n.obj_type === NODE_TYPES.start));
  const map = new Map(pasted.map((n) => [n.id, newNodeId()]));
  const copies = pasted.map((n) => ({ ...remapLinks(n, map), id: map.get(n.id)!, x: Math.round((n.x ?? 0) + offset.x), y: Math.round((n.y ?? 0) + offset.y) }));
  return { scheme: { ...scheme, nodes: [...scheme.nodes, ...copies] }, ids: copies.map((c) => c.id) };
}

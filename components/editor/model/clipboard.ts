/**
 * Copy and paste of nodes, also between processes: the copied nodes travel
 * as JSON text (the system clipboard when the browser lets us write it, and
 * localStorage, which every editor tab of this site shares).
 */
import { parseScheme, type ProcessScheme, type SchemeNode } from "@/engine/index";

export const CLIPBOARD_KEY = "conveyor:clipboard";
const MARK = "conveyor/nodes";

export function serializeNodes(scheme: ProcessScheme, ids: ReadonlySet<string>): string | null {
  const nodes = scheme.nodes.filter((n) => ids.has(n.id));
  return nodes.length ? JSON.stringify({ [MARK]: 1, nodes }) : null;
}

/** The nodes in a clipboard text, or null when it holds something else. Parsed like any scheme: untrusted text. */
export function parseClipboard(text: string | null | undefined): SchemeNode[] | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (!value || value[MARK] !== 1 || !Array.isArray(value.nodes)) return null;
    return parseScheme({ nodes: value.nodes }).nodes;
  } catch {
    return null;
  }
}

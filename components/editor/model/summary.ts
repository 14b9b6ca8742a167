/** One line under a node's title saying what its block does, so a process reads at a glance. */
import { PALETTE, nodeBlock, timeSemaphorOf, type SchemeNode } from "@/engine/index";

export const BLOCK_TITLE: Record<string, string> = Object.fromEntries(PALETTE.map((p) => [p.block, p.title]));

const keys = (v: unknown) => (v && typeof v === "object" ? Object.keys(v as object) : []);
const short = (s: string, n = 42) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function blockSummary(node: SchemeNode): string {
  const block = nodeBlock(node);
  const logics = node.condition.logics;
  const action = logics.find((l) => l.type !== "go" && l.type !== "go_if_const") as Record<string, unknown> | undefined;
  const time = timeSemaphorOf(node);
  switch (block) {
    case "set_param": return short(keys(action?.extra).join(", ") || "no parameters yet");
    case "api": return short(`${String(action?.method ?? "POST")} ${String(action?.url ?? "") || "(no URL)"}`);
    case "code": return `${String(action?.lang ?? "js")} · ${String(action?.src ?? "").split("\n").filter(Boolean).length} lines`;
    case "notify": return short(action?.channel ? `to ${String(action.channel)}` : "no channel yet");
    case "copy_task": return `→ process ${String(action?.conv_id ?? "") || "?"}`;
    case "modify_task": return `modify ${String(action?.ref ?? "") || "?"} in ${String(action?.conv_id ?? "") || "?"}`;
    case "call_process": return `call process ${String(action?.conv_id ?? "") || "?"}`;
    case "reply": return "reply to the caller";
    case "sum": return short(((action?.extra as Array<{ id?: string }>) ?? []).map((e) => e.id).filter(Boolean).join(", ") || "no sums yet");
    case "queue": return "holds tasks for Get from Queue";
    case "get_from_queue": return `from ${String(action?.node_id ?? "") || "?"} (${String(action?.order_by ?? "ASC")})`;
    case "callback": return time ? `waits up to ${time.value} ${time.dimension ?? "sec"}` : "waits for a callback";
    case "set_state": return "state: waits for a modification";
    case "delay": return time ? `waits ${time.value} ${time.dimension ?? "sec"}` : "delay";
    case "condition": return `${logics.filter((l) => l.type === "go_if_const").length} branch(es)`;
    case "go": return "goes on";
    case "empty": return "no logic";
    case null: return "";
    default: {
      const never: never = block;
      return String(never);
    }
  }
}

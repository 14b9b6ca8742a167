import type { SchemeJson } from "../processes/process-service.ts";

/**
 * The demo process created on first start: the walking skeleton of the
 * CloudTrail router.
 *
 *   Start ──▶ Is console sign-in? ──(eventType == AwsConsoleSignIn)──▶ Console sign-in (final)
 *                     │
 *                     └──(otherwise)──▶ Other events (final)
 */
export const DEMO_NODE_IDS = {
  start: "64c0ffee0000000000000001",
  condition: "64c0ffee0000000000000002",
  signIn: "64c0ffee0000000000000003",
  other: "64c0ffee0000000000000004",
} as const;

export function demoScheme(): SchemeJson {
  const n = DEMO_NODE_IDS;
  const extra = (icon = "", modeForm = "collapse") => JSON.stringify({ modeForm, icon });
  return {
    nodes: [
      { id: n.start, obj_type: 1, title: "Start", description: "", x: 400, y: 60, extra: extra(), condition: { logics: [{ type: "go", to_node_id: n.condition }], semaphors: [] } },
      {
        id: n.condition, obj_type: 0, title: "Is console sign-in?", description: "Routes AWS console sign-in events", x: 360, y: 200, extra: extra("", "expand"),
        condition: {
          logics: [
            { type: "go_if_const", to_node_id: n.signIn, conditions: [{ param: "eventType", const: "AwsConsoleSignIn", fun: "eq", cast: "string" }] },
            { type: "go", to_node_id: n.other },
          ],
          semaphors: [],
        },
      },
      { id: n.signIn, obj_type: 2, title: "Console sign-in", description: "", x: 200, y: 380, extra: extra("success"), condition: { logics: [], semaphors: [] } },
      { id: n.other, obj_type: 2, title: "Other events", description: "", x: 560, y: 380, extra: extra("success"), condition: { logics: [], semaphors: [] } },
    ],
    web_settings: [[], []],
  };
}

export const DEMO_PARAMS = [{ name: "eventType", type: "string", descr: "CloudTrail event type", flags: ["input"], regex: "", regex_error_text: "" }];

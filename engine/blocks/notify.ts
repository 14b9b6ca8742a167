/**
 * Notify (Conveyor's own block): sends an alert through a configured channel (Slack,
 * e-mail, SMS, Telegram, webhook). The engine renders title, message and fields and emits a
 * `notify` command, which the worker writes to the outbox; delivery and its retries belong
 * to the alert dispatcher, so the task continues at once. `dedupKey` (task:node:visit by
 * default) makes a replayed step send one alert; `dedup_key`, a template, replaces it: alerts
 * of one channel that render the same key are sent once (e.g. `{{eventID}}`: one CloudTrail
 * event reaching the block through two paths or two deliveries alerts once).
 * Errors (with err_node_id): notify_wrong_convert_param (a template failed),
 * notify_unknown_channel (the lookup says the channel does not exist).
 */
import { z } from "zod";
import { sha1 } from "../expr/hash.ts";
import { renderTemplate, toText } from "../expr/template.ts";
import { NOTIFY_SEVERITIES } from "../runtime/commands.ts";
import { failure, withTemplateErrors, type BlockDefinition } from "./block.ts";
import { errorPort } from "./shared.ts";

export const notifyLogicSchema = z.looseObject({
  type: z.literal("notify"),
  /** Channel name or id; may be a template. */
  channel: z.string(),
  title: z.string().optional(),
  message: z.string(),
  severity: z.enum(NOTIFY_SEVERITIES).optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  /** A template; alerts of the channel rendering the same key are sent once. Empty: task + node + visit. */
  dedup_key: z.string().optional(),
  err_node_id: z.string().optional(),
});
export type NotifyLogic = z.infer<typeof notifyLogicSchema>;

const PREFIX = "notify";

export const notifyBlock: BlockDefinition<NotifyLogic> = {
  type: "notify",
  title: "Notify",
  group: "alerting",
  description: "Sends an alert through a channel (Slack, e-mail, SMS, Telegram, webhook) and continues.",
  logicSchema: notifyLogicSchema,
  configSchema: z.object({
    type: z.literal("notify"),
    channel: z.string().min(1, "choose a channel"),
    title: z.string().optional(),
    message: z.string().min(1, "write the message"),
    severity: z.enum(NOTIFY_SEVERITIES).optional(),
    fields: z.record(z.string().min(1), z.string()).optional(),
    dedup_key: z.string().max(1000).optional(),
    err_node_id: z.string().optional(),
  }),
  errorPrefix: PREFIX,
  blocking: false,
  ports: (logic) => errorPort(logic),
  run: (logic, ctx) =>
    withTemplateErrors(PREFIX, "notify_wrong_convert_param", () => {
      const channel = renderTemplate(logic.channel, ctx.scope).trim();
      if (!channel || ctx.scope.lookup.channelExists?.(channel) === false) {
        return failure(PREFIX, "notify_unknown_channel", "software", `no channel "${channel}"`);
      }
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(logic.fields ?? {})) fields[renderTemplate(k, ctx.scope)] = renderTemplate(toText(v), ctx.scope);
      const origin = ctx.origin("notify");
      const custom = logic.dedup_key ? renderTemplate(logic.dedup_key, ctx.scope).trim() : "";
      const dedupKey = custom ? customDedupKey(channel, custom) : origin.key.slice("notify:".length);
      return {
        kind: "next",
        commands: [{
          ...origin, type: "notify", channel,
          title: renderTemplate(logic.title ?? "", ctx.scope),
          message: renderTemplate(logic.message, ctx.scope),
          severity: logic.severity ?? "medium",
          fields,
          dedupKey,
        }],
      };
    }),
};

/** A rendered `dedup_key`, scoped to its channel and kept short (a hash) whatever the template gave. */
export function customDedupKey(channel: string, rendered: string): string {
  const hex = Array.from(sha1(new TextEncoder().encode(`${channel}\n${rendered}`)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `key:${hex}`;
}

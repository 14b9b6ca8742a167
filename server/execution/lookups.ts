import type { Redis } from "ioredis";
import type { PoolClient } from "../db/pool.ts";
import type { Lookup } from "../../engine/index.ts";
import type { LookupRequest } from "../../engine/runtime/lookups.ts";
import { channelKeys } from "../alerts/channel-service.ts";
import { countersKey } from "../tasks/node-counters.ts";
import type { LookupSource } from "./unit-of-work.ts";

export const sumsKey = (prefix: string, processId: number | string) => `${prefix}:sums:${processId}`;

/**
 * Answers the engine's lookups from Redis (node counts, sums) and PostgreSQL
 * (state-diagram tasks by ref, alert channel names), fetched before a step.
 * Ids that are not numbers cannot name one of our processes and stay
 * unanswered ("").
 */
export function createLookupSource({ redis, prefix }: { redis: Redis; prefix: string }): LookupSource {
  return {
    channels: (client) => channelKeys(client),
    async fetch(requests: LookupRequest[], client: PoolClient): Promise<Lookup> {
      const counts = new Map<string, number>();
      const sums = new Map<string, number>();
      const states = new Map<string, Record<string, unknown>>();
      const isId = (s: string) => /^\d{1,9}$/.test(s);
      const p = redis.pipeline();
      const order: LookupRequest[] = [];
      for (const r of requests) {
        if (r.kind === "nodeCount" && isId(r.processId)) {
          p.hget(countersKey(prefix, Number(r.processId)), r.nodeId);
          order.push(r);
        } else if (r.kind === "nodeSum" && isId(r.processId)) {
          p.hget(sumsKey(prefix, r.processId), `${r.nodeId}:${r.sumId}`);
          order.push(r);
        }
      }
      if (order.length > 0) {
        const res = (await p.exec()) ?? [];
        order.forEach((r, i) => {
          const v = res[i]?.[1];
          if (r.kind === "nodeCount") counts.set(`${r.processId}:${r.nodeId}`, Number(v ?? 0));
          else if (r.kind === "nodeSum" && v !== null && v !== undefined) sums.set(`${r.processId}:${r.nodeId}:${(r as { sumId: string }).sumId}`, Number(v));
        });
      }
      for (const r of requests) {
        if (r.kind !== "stateTask" || !isId(r.processId)) continue;
        const { rows } = await client.query<{ data: Record<string, unknown> }>(
          `SELECT t.data FROM task t JOIN process p ON p.id = t.process_id
           WHERE t.process_id = $1 AND t.ref = $2 AND t.status <> 'finished' AND p.conv_type = 'state' LIMIT 1`,
          [Number(r.processId), r.ref],
        );
        if (rows[0]) states.set(`${r.processId}:${r.ref}`, rows[0].data);
      }
      return {
        nodeCount: ({ processId, nodeId }) => counts.get(`${processId}:${nodeId}`),
        nodeSum: ({ processId, nodeId, sumId }) => sums.get(`${processId}:${nodeId}:${sumId}`),
        stateTask: ({ processId, ref }) => states.get(`${processId}:${ref}`) as never,
      };
    },
  };
}

import { Redis, type RedisOptions } from "ioredis";

/**
 * Creates an ioredis client. `maxRetriesPerRequest: null` is what BullMQ
 * requires for its blocking connections; request-style callers that must fail
 * fast pass `failFast`.
 */
export function createRedis({ redisUrl, failFast = false, ...rest }: { redisUrl: string; failFast?: boolean } & RedisOptions): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: failFast ? 1 : null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...(failFast ? { connectTimeout: 3000, retryStrategy: () => null } : {}),
    ...rest,
  });
}

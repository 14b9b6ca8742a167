import "server-only";
import { createAlertQueue, type AlertQueue } from "@/workers/alert-queue";
import { webContext } from "./context";

const g = globalThis as unknown as { __conveyorAlertQueue?: AlertQueue };

/** The web's producer for the alert queue ("send test", resend): one per server process. */
export function alertQueue(): AlertQueue {
  const { config } = webContext();
  g.__conveyorAlertQueue ??= createAlertQueue({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  return g.__conveyorAlertQueue;
}

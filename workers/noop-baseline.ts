import { Queue, Worker } from "bullmq";

/**
 * The benchmark's baseline: how many no-op BullMQ jobs per second one worker
 * (concurrency 50) completes on this Redis. Real work is judged against it.
 */
export async function noopJobRate({ redisUrl, jobs, prefix = "conveyor-bench-noop" }: { redisUrl: string; jobs: number; prefix?: string }): Promise<number> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const q = new Queue("noop", { connection, prefix });
  await q.obliterate({ force: true }).catch(() => {});
  for (let i = 0; i < jobs; i += 1000) {
    await q.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "n", data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  let done = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const w = new Worker("noop", async () => {}, { connection, prefix, concurrency: 50 });
    w.on("completed", () => {
      if (++done === jobs) void w.close().then(() => resolve());
    });
  });
  const rate = jobs / ((performance.now() - t0) / 1000);
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
  return rate;
}

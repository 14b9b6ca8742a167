/**
 * Collects concurrent calls into batches: every call made while a batch is
 * being flushed (or within `lingerMs`) joins the next one, up to `maxBatch`.
 * With BullMQ running N step jobs at once, N tasks share one transaction.
 */
export function createBatcher<I, O>({ flush, maxBatch = 64, lingerMs = 2, gate }: {
  flush: (items: I[]) => Promise<O[]>;
  maxBatch?: number;
  lingerMs?: number;
  /** A slot to hold while flushing, taken before the batch is: calls made while it is awaited join the batch. */
  gate?: { acquire(): Promise<() => void> };
}) {
  const pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | null = null;
  let running = 0;

  const run = async () => {
    timer = null;
    const release = gate ? await gate.acquire() : null;
    const batch = pending.splice(0, maxBatch);
    if (batch.length === 0) {
      release?.();
      return;
    }
    running++;
    try {
      const out = await flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (err) {
      batch.forEach((b) => b.reject(err));
    } finally {
      release?.();
      running--;
      if (pending.length > 0) schedule();
    }
  };
  const schedule = () => {
    if (timer) return;
    if (pending.length >= maxBatch) void run();
    else timer = setTimeout(run, running > 0 ? lingerMs * 2 : lingerMs);
  };

  return (item: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      schedule();
    });
}

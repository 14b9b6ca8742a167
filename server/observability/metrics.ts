import type { Redis } from "ioredis";

/**
 * Operational metrics that several processes produce (every worker moves
 * tasks, every web server answers requests) and one `/api/metrics` scrape must
 * see whole. They are kept in Redis, not in process memory: one hash of
 * counters per installation, bumped with one pipelined round trip per unit of
 * work or request (fire and forget: a lost increment never slows or fails the
 * work it measures). Redis losing the hash is a counter reset, which
 * Prometheus' rate() already handles.
 */

/** Upper bounds (seconds) of the latency histograms' buckets. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const metricsKey = (prefix: string) => `${prefix}:metrics`;
/** Tasks moved per 10-second slot, for the "per second over the last minute" gauge. */
const movedSlotKey = (prefix: string, slot: number) => `${prefix}:metrics:moved:${slot}`;
const SLOT_MS = 10_000;

/** Index of the first bucket whose bound holds `seconds` (LATENCY_BUCKETS.length: only +Inf). */
export function bucketIndex(seconds: number): number {
  const i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
  return i === -1 ? LATENCY_BUCKETS.length : i;
}

export interface MetricsRecorder {
  /**
   * One unit of work committed: `steps` task steps (history rows) in
   * `seconds`. Each step is observed with its unit's duration, so the
   * histogram counts steps, as the moved counter does.
   */
  unitOfWork(input: { steps: number; seconds: number }): void;
  /** One HTTP request answered by a route handler. */
  httpRequest(input: { method: string; route: string; status: number; seconds: number }): void;
}

export function createMetricsRecorder({ redis, prefix, onError }: { redis: Redis; prefix: string; onError?: (err: Error) => void }): MetricsRecorder {
  const key = metricsKey(prefix);
  const send = (p: ReturnType<Redis["pipeline"]>) => void p.exec().catch((err: Error) => onError?.(err));
  return {
    unitOfWork({ steps, seconds }) {
      if (steps <= 0) return;
      const slot = movedSlotKey(prefix, Math.floor(Date.now() / SLOT_MS));
      send(
        redis.pipeline()
          .hincrby(key, "steps:moved", steps)
          .hincrby(key, `steps:dur:b:${bucketIndex(seconds)}`, steps)
          .hincrby(key, "steps:dur:count", steps)
          .hincrbyfloat(key, "steps:dur:sum", seconds * steps)
          .incrby(slot, steps)
          .expire(slot, 120),
      );
    },
    httpRequest({ method, route, status, seconds }) {
      const series = `http:${method}|${route}|${status}`;
      send(
        redis.pipeline()
          .hincrby(key, `${series}:b:${bucketIndex(seconds)}`, 1)
          .hincrby(key, `${series}:count`, 1)
          .hincrbyfloat(key, `${series}:sum`, seconds),
      );
    },
  };
}

export interface HistogramData {
  /** Non-cumulative counts per bucket index (the last index is +Inf only). */
  buckets: number[];
  count: number;
  sum: number;
}

export interface RecordedMetrics {
  tasksMoved: number;
  /** Average over the last minute: five complete 10-second slots and the current one so far. */
  tasksMovedPerSecond: number;
  stepDuration: HistogramData;
  http: Array<{ method: string; route: string; status: string; histogram: HistogramData }>;
}

const emptyHistogram = (): HistogramData => ({ buckets: new Array(LATENCY_BUCKETS.length + 1).fill(0), count: 0, sum: 0 });

function addToHistogram(h: HistogramData, part: string, value: number): void {
  if (part === "count") h.count += value;
  else if (part === "sum") h.sum += value;
  else if (part.startsWith("b:")) {
    const i = Number(part.slice(2));
    if (Number.isInteger(i) && i >= 0 && i < h.buckets.length) h.buckets[i] += value;
  }
}

/** Reads what every process recorded. */
export async function readRecordedMetrics({ redis, prefix, now = Date.now() }: { redis: Redis; prefix: string; now?: number }): Promise<RecordedMetrics> {
  const current = Math.floor(now / SLOT_MS);
  const slots = Array.from({ length: 6 }, (_, i) => movedSlotKey(prefix, current - i));
  const [raw, slotValues] = await Promise.all([redis.hgetall(metricsKey(prefix)), redis.mget(...slots)]);
  const stepDuration = emptyHistogram();
  const http = new Map<string, RecordedMetrics["http"][number]>();
  for (const [field, text] of Object.entries(raw)) {
    const value = Number(text);
    if (!Number.isFinite(value)) continue;
    if (field.startsWith("steps:dur:")) addToHistogram(stepDuration, field.slice("steps:dur:".length), value);
    else if (field.startsWith("http:")) {
      // http:<method>|<route>|<status>:<part>; routes hold no '|' and the part is after the last '|'-segment's ':'.
      const rest = field.slice(5);
      const [method, route, statusAndPart] = rest.split("|");
      if (!method || !route || !statusAndPart) continue;
      const cut = statusAndPart.indexOf(":");
      const status = statusAndPart.slice(0, cut);
      const series = http.get(`${method}|${route}|${status}`) ?? { method, route, status, histogram: emptyHistogram() };
      addToHistogram(series.histogram, statusAndPart.slice(cut + 1), value);
      http.set(`${method}|${route}|${status}`, series);
    }
  }
  const movedLastMinute = slotValues.reduce((s, v) => s + Number(v ?? 0), 0);
  return {
    tasksMoved: Number(raw["steps:moved"] ?? 0),
    tasksMovedPerSecond: movedLastMinute / (((slots.length - 1) * SLOT_MS + (now % SLOT_MS)) / 1000),
    stepDuration,
    http: [...http.values()].sort((a, b) => `${a.route}${a.method}${a.status}`.localeCompare(`${b.route}${b.method}${b.status}`)),
  };
}

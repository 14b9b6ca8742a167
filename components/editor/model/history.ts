/**
 * Undo/redo over immutable documents. Edits that arrive in a burst with the
 * same key (typing in one inspector field) merge into one step, so undo takes
 * back the whole word, not one letter.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Key and time of the last edit, for merging bursts. */
  lastKey: string | null;
  lastAt: number;
}

export const HISTORY_LIMIT = 100;
const MERGE_WINDOW_MS = 1000;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export function record<T>(h: History<T>, next: T, { key = null, now = 0 }: { key?: string | null; now?: number } = {}): History<T> {
  if (next === h.present) return h;
  const merge = key !== null && key === h.lastKey && now - h.lastAt < MERGE_WINDOW_MS && h.past.length > 0;
  const past = merge ? h.past : [...h.past, h.present].slice(-HISTORY_LIMIT);
  return { past, present: next, future: [], lastKey: key, lastAt: now };
}

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future], lastKey: null, lastAt: 0 };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1), lastKey: null, lastAt: 0 };
}

/**
 * A tiny subscribable value with per-key reads: live counters change every
 * second, and only the nodes whose count changed should re-render.
 */
import { useSyncExternalStore } from "react";

export class KeyedStore<V> {
  private values: Record<string, V> = {};
  private readonly listeners = new Set<() => void>();

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  get = (key: string): V | undefined => this.values[key];

  all = (): Record<string, V> => this.values;

  set(values: Record<string, V>): void {
    this.values = values;
    for (const fn of this.listeners) fn();
  }
}

export function useKeyed<V>(store: KeyedStore<V>, key: string): V | undefined {
  return useSyncExternalStore(store.subscribe, () => store.get(key), () => store.get(key));
}

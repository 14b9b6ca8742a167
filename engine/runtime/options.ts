/** Injected time and the limits of a step. */

/** Time and randomness come from here, never from globals. */
export interface Clock {
  /** Unix ms. */
  now(): number;
  /** Uniform in [0, 1); only `$.random` uses it. Defaults to a constant 0. */
  random?(): number;
}

export interface StepOptions {
  /** Task data limit in UTF-8 bytes of its JSON (Corezoid on-prem: 1 MB). */
  taskSizeLimit?: number;
  /** The loop guard: a node entered more often than this (since the last callback) stops the task. */
  loopLimit?: number;
  /** Static timers under this are raised to it (validation rejects them on publish). */
  minTimerSec?: number;
  /** A Waiting for Callback node without a time limit gets this one; 0 disables it. */
  callbackDefaultLimitSec?: number;
  httpTimeoutMs?: number;
  httpMaxResponseBytes?: number;
  /** `max_threads` when the logic does not say. */
  httpMaxThreads?: number;
  codeTimeoutMs?: number;
}

export type ResolvedOptions = Required<StepOptions>;

export const DEFAULT_OPTIONS: ResolvedOptions = {
  taskSizeLimit: 1_048_576,
  loopLimit: 50,
  minTimerSec: 30,
  callbackDefaultLimitSec: 86_400,
  httpTimeoutMs: 60_000,
  httpMaxResponseBytes: 5 * 1024 * 1024,
  httpMaxThreads: 5,
  codeTimeoutMs: 1_000,
};

export function resolveOptions(options: StepOptions | undefined): ResolvedOptions {
  return { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) };
}

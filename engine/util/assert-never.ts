/** Ends every exhaustive switch: a new union member becomes a type error here. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

/** How task data changed between two steps: keys added, changed and removed, by path. */
export interface DataChange {
  path: string;
  kind: "added" | "changed" | "removed";
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function diffData(before: unknown, after: unknown, prefix = ""): DataChange[] {
  if (!isObject(before) || !isObject(after)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: prefix || "(data)", kind: "changed", before, after }];
  }
  const out: DataChange[] = [];
  for (const key of Object.keys(after)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in before)) out.push({ path, kind: "added", after: after[key] });
    else if (isObject(before[key]) && isObject(after[key])) out.push(...diffData(before[key], after[key], path));
    else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out.push({ path, kind: "changed", before: before[key], after: after[key] });
  }
  for (const key of Object.keys(before)) if (!(key in after)) out.push({ path: prefix ? `${prefix}.${key}` : key, kind: "removed", before: before[key] });
  return out;
}

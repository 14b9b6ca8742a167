import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** Reads a dotenv file into an object (empty when the file does not exist). */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
}

/** Fills the template's `KEY=` lines with values, keeping its comments. */
export function renderEnvFile(template: string, values: Record<string, string>): string {
  const seen = new Set<string>();
  const lines = template.split("\n").map((line) => {
    const m = /^([A-Z0-9_]+)=/.exec(line);
    if (!m || values[m[1]] === undefined) return line;
    seen.add(m[1]);
    return `${m[1]}=${values[m[1]]}`;
  });
  for (const [k, v] of Object.entries(values)) if (!seen.has(k)) lines.push(`${k}=${v}`);
  return lines.join("\n");
}

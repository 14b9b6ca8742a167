import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Turns a request path into the pattern of the route handler that serves it
 * (`/api/processes/[id]/counts`), read from the app directory's `route.ts`
 * files, so HTTP metrics have one series per route rather than one per URL
 * (ids, hashes and logins in paths would make series without end). A path no
 * route file matches is `other`.
 */
export interface RouteMatcher {
  patterns: string[];
  match(pathname: string): string;
}

export function routeMatcher(appDir: string): RouteMatcher {
  const patterns = routePatterns(appDir);
  const compiled = patterns
    .map((pattern) => ({ pattern, re: patternRegExp(pattern), score: specificity(pattern) }))
    // Static segments win over dynamic ones, dynamic over catch-all (as Next.js resolves them).
    .sort((a, b) => b.score - a.score);
  return {
    patterns,
    match(pathname) {
      const clean = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
      return compiled.find((c) => c.re.test(clean))?.pattern ?? "other";
    },
  };
}

export function routePatterns(appDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, segs: string[]) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name.startsWith("_")) continue; // private folders hold no routes
        walk(p, /^\(.*\)$/.test(name) ? segs : [...segs, name]); // (groups) add no segment
      } else if (name === "route.ts" || name === "route.js") {
        out.push(`/${segs.join("/")}`);
      }
    }
  };
  walk(appDir, []);
  return [...new Set(out)].sort();
}

function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .split("/")
    .filter(Boolean)
    .map((seg) => {
      if (/^\[\[?\.\.\..+\]\]?$/.test(seg)) return "(?:/.+)";
      if (/^\[.+\]$/.test(seg)) return "/[^/]+";
      return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return new RegExp(`^${body || "/"}$`);
}

function specificity(pattern: string): number {
  return pattern.split("/").filter(Boolean).reduce((s, seg) => s * 4 + (seg.startsWith("[...") ? 1 : seg.startsWith("[") ? 2 : 3), 1);
}

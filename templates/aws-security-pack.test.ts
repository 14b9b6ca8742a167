import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCorezoidExport, validateProcess } from "@/engine/index";
import { buildAwsSecurityPack } from "./aws-security-pack.ts";
import { API_RULES } from "./rules.ts";

describe("AWS security pack (the generated export)", () => {
  it("is what templates/aws-security-pack.json holds (run npm run templates:build after a change)", () => {
    const file = JSON.parse(readFileSync(path.join(import.meta.dirname, "aws-security-pack.json"), "utf8"));
    expect(file).toEqual(JSON.parse(JSON.stringify(buildAwsSecurityPack())));
  });

  it("parses as a Corezoid export and every process validates without errors", () => {
    const exp = parseCorezoidExport(buildAwsSecurityPack());
    expect(exp.folders).toHaveLength(1);
    expect(exp.processes.map((p) => p.title)).toEqual(["AWS · 01 Event router", "AWS · 02 Non-API checks", "AWS · 03 API checks", "AWS · 04 Sign-in failure window"]);
    const known = Object.fromEntries(exp.processes.map((p) => [String(p.obj_id), { scheme: p.scheme, kind: p.conv_type ?? "process" }]));
    for (const p of exp.processes) {
      const errors = validateProcess(p.scheme, { knownProcesses: known as never, processKind: p.conv_type ?? "process" }).filter((i) => i.severity === "error");
      expect(errors, p.title).toEqual([]);
    }
  });

  it("covers the 10 AWS alarm-template rules and CIS 4.1–4.15 (4.2 and 4.6 in the sign-in checks)", () => {
    const refs = API_RULES.flatMap((r) => r.refs).join(" ");
    for (let i = 1; i <= 10; i++) if (i !== 8) expect(refs, `AWS #${i}`).toContain(`AWS #${i} `);
    for (const n of [1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]) expect(refs, `CIS 4.${n}`).toContain(`CIS 4.${n}`);
  });
});

import { ESLint } from "eslint";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The dependency rules of docs/development.md are enforced by ESLint. These
 * tests lint small sources as if they lived in each folder and expect the
 * rule to fire, so a config change that silently drops a rule fails here.
 */
const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return res.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("import boundaries (ESLint)", () => {
  it("engine/ may not import I/O modules or other folders, nor read the clock", async () => {
    expect(await problems("engine/x.ts", `import { readFileSync } from "node:fs";\nexport const a = readFileSync;\n`)).toEqual([expect.stringMatching(/no-restricted-imports.*engine\/ is pure/)]);
    expect(await problems("engine/x.ts", `import { createDb } from "@/server/db/client";\nexport const a = createDb;\n`)).toEqual([expect.stringMatching(/engine\/ imports nothing outside itself/)]);
    expect(await problems("engine/blocks/x.ts", `import { createDb } from "../../server/db/client";\nexport const a = createDb;\n`)).toEqual([expect.stringMatching(/engine\/ imports nothing outside itself/)]);
    expect(await problems("engine/x.ts", `import { Queue } from "bullmq";\nexport const a = Queue;\n`)).toEqual([expect.stringMatching(/engine\/ is pure/)]);
    expect(await problems("engine/x.ts", `export const a = Date.now();\n`)).toEqual([expect.stringMatching(/injected clock/)]);
    expect(await problems("engine/x.ts", `export const a = () => fetch("http://x");\n`)).toEqual([expect.stringMatching(/no-restricted-globals/)]);
  });

  it("components/ may not import server/, workers/, Prisma or bullmq", async () => {
    expect(await problems("components/x.tsx", `import { createDb } from "@/server/db/client";\nexport const a = createDb;\n`)).toEqual([expect.stringMatching(/components\/ never import server/)]);
    expect(await problems("components/x.tsx", `import { PrismaClient } from "@prisma/client";\nexport const a = PrismaClient;\n`)).toEqual([expect.stringMatching(/never import Prisma/)]);
    expect(await problems("components/x.tsx", `import { Queue } from "bullmq";\nexport const a = Queue;\n`)).toEqual([expect.stringMatching(/only workers\/ imports bullmq/)]);
  });

  it("only workers/ imports bullmq", async () => {
    expect(await problems("server/x.ts", `import { Queue } from "bullmq";\nexport const a = Queue;\n`)).toEqual([expect.stringMatching(/only workers\/ imports bullmq/)]);
    expect(await problems("app/api/x/route.ts", `import { Queue } from "bullmq";\nexport const a = Queue;\n`)).toEqual([expect.stringMatching(/only workers\/ imports bullmq/)]);
    expect(await problems("workers/x.ts", `import { Queue } from "bullmq";\nexport const a = Queue;\n`)).toEqual([]);
  });

  it("allows what the architecture allows", async () => {
    expect(await problems("engine/x.ts", `import { z } from "zod";\nexport const a = z.string();\n`)).toEqual([]);
    expect(await problems("server/x.ts", `import { readFileSync } from "node:fs";\nexport const a = readFileSync;\n`)).toEqual([]);
  });
});

// npm run templates:build — writes templates/aws-security-pack.json from aws-security-pack.ts.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildAwsSecurityPack } from "./aws-security-pack.ts";

const out = path.join(import.meta.dirname, "aws-security-pack.json");
writeFileSync(out, `${JSON.stringify(buildAwsSecurityPack(), null, 1)}\n`);
console.log(`wrote ${out}`);

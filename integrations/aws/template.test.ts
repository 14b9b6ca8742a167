import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, type YAMLMap, type YAMLSeq } from "yaml";

/**
 * integrations/aws/template.yaml must deploy: CloudFormation refuses a template whose resources
 * depend on each other in a circle ("Circular dependency between resources"). cfn-lint and the
 * SAM CLI are not available here, so this builds the dependency graph itself — Ref, Fn::GetAtt,
 * ${X} in Fn::Sub and DependsOn — after the expansion SAM does (AWS SAM docs, "AWS::Serverless::Function"
 * generated resources and the S3 event source): a function gets a role `<Function>Role` holding
 * its Policies; each S3 event adds a `<Function><Event>Permission` (lambda:InvokeFunction on the
 * function) and a notification on the bucket, which refers to the function and DependsOn the
 * permission. The known trap (aws/serverless-application-model#138): the function's policy
 * naming the bucket (!Ref or ${Bucket}) closes the circle bucket → permission → function → role → bucket.
 */

const INTRINSICS = ["Ref", "Condition", "GetAtt", "Sub", "Join", "If", "Select", "Split", "Equals", "Not", "And", "Or", "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs", "Transform"];
const keyOf = (name: string) => (name === "Ref" || name === "Condition" ? name : `Fn::${name}`);
const customTags = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (s: string) => ({ [keyOf(name)]: name === "GetAtt" ? s.split(".") : s }) },
  { tag: `!${name}`, collection: "seq" as const, resolve: (seq: YAMLSeq) => ({ [keyOf(name)]: seq.toJSON() }) },
  { tag: `!${name}`, collection: "map" as const, resolve: (map: YAMLMap) => ({ [keyOf(name)]: map.toJSON() }) },
]);

type Json = unknown;
interface Resource { Type: string; Properties?: Record<string, Json>; DependsOn?: string | string[]; [k: string]: Json }
interface Template { Parameters?: Record<string, Record<string, Json>>; Resources: Record<string, Resource> }

function parseTemplate(text: string): Template {
  return parse(text, { customTags: customTags as never }) as Template;
}

/** Logical ids (before the first ".") that a value refers to by Ref, Fn::GetAtt or ${...} in Fn::Sub. */
function refsIn(value: Json, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
    return out;
  }
  if (value === null || typeof value !== "object") return out;
  for (const [k, v] of Object.entries(value)) {
    if (k === "Ref" && typeof v === "string") out.add(v);
    else if (k === "Fn::GetAtt") out.add(typeof v === "string" ? v.split(".")[0] : String((v as Json[])[0]));
    else if (k === "Fn::Sub") {
      const [text, vars] = typeof v === "string" ? [v, {}] : (v as [string, Record<string, Json>]);
      for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) if (!(m[1] in vars)) out.add(m[1].split(".")[0]);
      refsIn(vars, out);
    } else refsIn(v, out);
  }
  return out;
}

const list = (d: string | string[] | undefined) => (d === undefined ? [] : Array.isArray(d) ? d : [d]);
const without = (o: Record<string, Json> | undefined, ...keys: string[]) => Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !keys.includes(k)));

/** resource → the resources it depends on, after SAM's expansion; parameters and pseudo-parameters are dropped. */
function dependencyGraph(t: Template): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  const edge = (from: string, to: Iterable<string>) => {
    const s = g.get(from) ?? new Set<string>();
    for (const x of to) s.add(x);
    g.set(from, s);
  };
  for (const [id, r] of Object.entries(t.Resources)) {
    if (r.Type !== "AWS::Serverless::Function") {
      edge(id, refsIn(without(r as Record<string, Json>, "Type", "DependsOn")));
      edge(id, list(r.DependsOn));
      continue;
    }
    const p = r.Properties ?? {};
    // The function: its own properties, DependsOn, and its role (given, or generated from Policies).
    edge(id, refsIn(without(p, "Events", "Policies", "Role")));
    edge(id, list(r.DependsOn));
    if (p.Role !== undefined) edge(id, refsIn(p.Role));
    else {
      edge(id, [`${id}Role`]);
      edge(`${id}Role`, refsIn(p.Policies ?? []));
    }
    for (const [eventId, ev] of Object.entries((p.Events ?? {}) as Record<string, { Type: string; Properties: Record<string, Json> }>)) {
      if (ev.Type !== "S3") throw new Error(`event ${id}.${eventId}: only S3 events are modelled here, not ${ev.Type}`);
      const permission = `${id}${eventId}Permission`;
      edge(permission, [id]); // FunctionName: !Ref <function>
      const bucket = (ev.Properties.Bucket as { Ref?: string }).Ref;
      if (!bucket || !(bucket in t.Resources)) throw new Error(`event ${id}.${eventId}: SAM needs Bucket: !Ref <a bucket of this template>`);
      // The bucket's NotificationConfiguration names the function (Fn::GetAtt Arn) and the bucket DependsOn the permission.
      edge(bucket, [id, permission, ...refsIn(without(ev.Properties, "Bucket"))]);
    }
  }
  for (const [from, to] of g) g.set(from, new Set([...to].filter((x) => g.has(x))));
  return g;
}

/** One cycle (as a path that returns to its first node), or null. */
function findCycle(g: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, "open");
    stack.push(n);
    for (const m of [...(g.get(n) ?? [])].sort()) {
      if (state.get(m) === "open") return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of [...g.keys()].sort()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

// CONVEYOR_CFN_TEMPLATE checks another file, e.g. an older version: git show HEAD~1:integrations/aws/template.yaml > /tmp/t.yaml
const templatePath = process.env.CONVEYOR_CFN_TEMPLATE ?? path.join(import.meta.dirname, "template.yaml");
const text = readFileSync(templatePath, "utf8");

describe("integrations/aws/template.yaml (the SAM template)", () => {
  it("has no circular dependency between its resources (after SAM's expansion)", () => {
    const g = dependencyGraph(parseTemplate(text));
    // The graph sees what matters: the S3 event's edges and the generated role and permission.
    expect([...g.get("TrailBucket")!].sort()).toEqual(["ForwarderFunction", "ForwarderFunctionLogFileCreatedPermission"]);
    expect([...g.get("ForwarderFunction")!]).toContain("ForwarderFunctionRole");
    expect(g.get("Trail")).toEqual(new Set(["TrailBucket", "TrailBucketPolicy"]));
    expect(findCycle(g)).toBeNull();
  });

  it("the forwarder may read exactly the trail's bucket: its policy spells out the bucket's own name", () => {
    const t = parseTemplate(text);
    const bucketName = (t.Resources.TrailBucket.Properties!.BucketName as { "Fn::Sub": string })["Fn::Sub"];
    expect(bucketName).toBe("${TrailBucketPrefix}-${AWS::AccountId}-${AWS::Region}");
    const policies = t.Resources.ForwarderFunction.Properties!.Policies as Array<{ Statement: Array<{ Action: string; Resource: { "Fn::Sub": string } }> }>;
    expect(policies.flatMap((p) => p.Statement).map((s) => [s.Action, s.Resource["Fn::Sub"]])).toEqual([["s3:GetObject", `arn:\${AWS::Partition}:s3:::${bucketName}/AWSLogs/*`]]);
    // A valid S3 name for any prefix the parameter allows: at most 32 + 1 + 12 + 1 + 14 (the longest region names) ≤ 63.
    const prefix = t.Parameters!.TrailBucketPrefix;
    expect(prefix).toMatchObject({ MaxLength: 32, AllowedPattern: "^[a-z0-9][a-z0-9-]*[a-z0-9]$" });
    expect(new RegExp(prefix.AllowedPattern as string).test(prefix.Default as string)).toBe(true);
  });

  it("finds the circle of aws/serverless-application-model#138 (the policy naming the bucket by ${TrailBucket})", () => {
    const old = text.replace("${TrailBucketPrefix}-${AWS::AccountId}-${AWS::Region}/AWSLogs/*", "${TrailBucket}/AWSLogs/*");
    expect(old).not.toBe(text);
    const cycle = findCycle(dependencyGraph(parseTemplate(old)));
    expect(cycle).not.toBeNull();
    expect(cycle).toEqual(["ForwarderFunction", "ForwarderFunctionRole", "TrailBucket", "ForwarderFunction"]);
  });

  it("reads the short intrinsic tags and the two forms of Fn::Sub", () => {
    const t = parseTemplate([
      "Resources:",
      "  A: { Type: AWS::SNS::Topic, Properties: { X: !Sub ['${B.Arn}-${C}-${!Literal}-${AWS::Region}', { C: !Ref D }], Y: !If [cond, !GetAtt E.Arn, !Join ['', [!Ref F]]] } }",
      "  B: { Type: AWS::SNS::Topic }",
      "  D: { Type: AWS::SNS::Topic, DependsOn: [G] }",
      "  E: { Type: AWS::SNS::Topic }",
      "  F: { Type: AWS::SNS::Topic }",
      "  G: { Type: AWS::SNS::Topic, Properties: { Z: !GetAtt [A, Arn] } }",
    ].join("\n"));
    const g = dependencyGraph(t);
    expect([...g.get("A")!].sort()).toEqual(["B", "D", "E", "F"]);
    expect(findCycle(g)).toEqual(["A", "D", "G", "A"]);
  });
});

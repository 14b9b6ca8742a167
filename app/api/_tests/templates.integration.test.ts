import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSinkChannel } from "@/server/alerts/testing/sink-channel";
import type { HttpReceiver } from "@/server/alerts/testing/receivers";
import { signedInCookies } from "@/server/testing/sessions";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";
import { PACK_CHANNEL, PACK_FOLDER } from "@/templates/aws-security-pack";

/**
 * POST /api/templates/aws-security-pack through its real route handler (real
 * better-auth sessions, PostgreSQL, Redis and worker): an admin installs a
 * working copy of the pack — published processes wired to each other that
 * raise an alert on a CloudTrail event; a viewer may not.
 */
Object.assign(process.env, testEnv());
const { webContext } = await import("@/app/_lib/context");
const { POST } = await import("@/app/api/templates/aws-security-pack/route");

let h: Harness;
let cookies: Record<string, string>;
let sink: HttpReceiver;

beforeAll(async () => {
  h = await createHarness({ env: { HTTP_ALLOW_PRIVATE: "true" } });
  const { db, auth } = webContext();
  cookies = await signedInCookies({ db, auth, roles: ["admin", "viewer"] });
  sink = await createSinkChannel({ db: h.db, encryptionKey: h.config.ENCRYPTION_KEY, name: PACK_CHANNEL });
});
afterAll(async () => {
  await h?.close();
  await sink?.close();
});

async function install(cookie: string) {
  const req = new Request("http://localhost/api/templates/aws-security-pack", { method: "POST", headers: { cookie, origin: "http://localhost", host: "localhost", "x-forwarded-for": "203.0.113.50" } });
  const res = await POST(req, { params: Promise.resolve({}) });
  return { status: res.status, json: (await res.json()) as { folders: Array<{ id: number; name: string }>; processes: Array<{ id: number; title: string; published: boolean; originalId: string | null }> } };
}

describe("POST /api/templates/aws-security-pack", () => {
  it("a viewer is refused and nothing is created", async () => {
    // Counted, not assumed empty: the test database is shared with the files run before this one.
    const before = await h.db.process.count();
    const folders = await h.db.folder.count({ where: { name: PACK_FOLDER } });
    expect((await install(cookies.viewer)).status).toBe(403);
    expect(await h.db.process.count()).toBe(before);
    expect(await h.db.folder.count({ where: { name: PACK_FOLDER } })).toBe(folders);
  });

  it("an admin installs the pack: a folder of four published processes, wired to each other, audited", async () => {
    const res = await install(cookies.admin);
    expect(res.status).toBe(201);
    expect(res.json.folders.map((f) => f.name)).toEqual([PACK_FOLDER]);
    expect(res.json.processes.map((p) => [p.title, p.published])).toEqual([
      ["AWS · 01 Event router", true], ["AWS · 02 Non-API checks", true], ["AWS · 03 API checks", true], ["AWS · 04 Sign-in failure window", true],
    ]);
    const [router, nonApi, api, window] = res.json.processes.map((p) => p.id);
    const stored = await h.db.process.findMany({ where: { folderId: res.json.folders[0].id }, orderBy: { id: "asc" }, select: { id: true, convType: true, publishedVersion: { select: { scheme: true } } } });
    expect(stored.map((p) => [p.id, p.convType])).toEqual([[router, "process"], [nonApi, "process"], [api, "process"], [window, "state"]]);
    // The copies point at this installation's processes, not at the export's ids.
    const convIds = (i: number) => JSON.stringify(stored[i].publishedVersion!.scheme).match(/"conv_id":\d+/g)?.map((m) => Number(m.slice(10)));
    expect(new Set(convIds(0))).toEqual(new Set([nonApi, api]));
    expect(new Set(convIds(1))).toEqual(new Set([window]));
    const audit = await h.db.auditLog.findMany({ where: { action: "process.imported", targetType: "folder", targetId: String(res.json.folders[0].id) } });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ template: "aws-security-pack", processes: [router, nonApi, api, window] });

    // It works: a CloudTrail event posted to the router raises the rule's alert.
    await h.submit(router, [{ ref: "stop-logging-1", data: {
      eventVersion: "1.08", eventTime: "2024-01-15T10:00:00Z", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", eventType: "AwsApiCall",
      awsRegion: "eu-west-1", sourceIPAddress: "198.51.100.7", recipientAccountId: "111122223333", eventID: "stop-logging-1",
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", accountId: "111122223333", userName: "alice" },
    } }]);
    const alerts = () => h.pool.query<{ title: string }>(
      "SELECT title FROM alert WHERE kind = 'notify' AND title LIKE '%StopLogging%' AND process_id = ANY($1::int[])",
      [res.json.processes.map((p) => p.id)],
    ).then((r) => r.rows);
    expect(await h.waitFor("the pack's alert", alerts, (r) => r.length === 1, 20_000)).toEqual([{ title: "CloudTrail configuration changed: StopLogging in 111122223333" }]);
  });

  it("a second install adds another copy and leaves the first alone", async () => {
    const before = await h.db.process.findMany({ select: { id: true, publishedVersionId: true }, orderBy: { id: "asc" } });
    const folders = await h.db.folder.count({ where: { name: PACK_FOLDER } });
    const res = await install(cookies.admin);
    expect(res.status).toBe(201);
    expect(await h.db.folder.count({ where: { name: PACK_FOLDER } })).toBe(folders + 1);
    expect(res.json.processes.every((p) => !before.some((b) => b.id === p.id))).toBe(true);
    const after = await h.db.process.findMany({ where: { id: { in: before.map((b) => b.id) } }, select: { id: true, publishedVersionId: true }, orderBy: { id: "asc" } });
    expect(after).toEqual(before);
  });
});

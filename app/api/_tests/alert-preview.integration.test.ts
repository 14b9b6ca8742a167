import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScheme, finalNode, startNode } from "@/engine/testing/builders";
import { signedInCookies } from "@/server/testing/sessions";
import { createHarness, type Harness } from "@/server/testing/worker-harness";
import { testEnv } from "@/server/testing/test-env";

/**
 * POST /api/alerts/preview through its real handler: a notify block's
 * templates rendered against a stored task (by id, or a process's newest
 * task), as the engine renders them, and what a channel type would receive.
 */
Object.assign(process.env, testEnv());
const { webContext } = await import("@/app/_lib/context");
const { POST } = await import("@/app/api/alerts/preview/route");

let h: Harness;
let cookies: Record<string, string>;

beforeAll(async () => {
  h = await createHarness({ startWorker: false });
  const { db, auth } = webContext();
  cookies = await signedInCookies({ db, auth, roles: ["viewer"] });
});
afterAll(async () => {
  await h?.close();
});

async function preview(body: unknown) {
  const req = new Request("http://localhost/api/alerts/preview", {
    method: "POST", body: JSON.stringify(body),
    headers: { cookie: cookies.viewer, origin: "http://localhost", host: "localhost", "content-type": "application/json", "x-forwarded-for": "203.0.113.60" },
  });
  const res = await POST(req, { params: Promise.resolve({}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { title: string; message: string; fields: Record<string, string>; sample: { taskId: string | null; processId: number | null }; payloads: Record<string, unknown>; error?: { message: string } } };
}

const templates = { title: "{{eventName}} in {{recipientAccountId}}", message: "{{userIdentity.userName}} from {{sourceIPAddress}} (task {{root.task_id}})", severity: "high", fields: { Region: "{{awsRegion}}" } };

describe("POST /api/alerts/preview", () => {
  it("renders the templates against a stored task, chosen by id or as a process's newest task", async () => {
    const pid = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "preview: samples" });
    const [older] = await h.submit(pid, [{ data: { eventName: "CreateUser", recipientAccountId: "111122223333", userIdentity: { userName: "alice" }, sourceIPAddress: "198.51.100.1", awsRegion: "eu-west-1" } }]);
    await new Promise((r) => setTimeout(r, 20));
    const [newest] = await h.submit(pid, [{ data: { eventName: "StopLogging", recipientAccountId: "444455556666", userIdentity: { userName: "bob" }, sourceIPAddress: "203.0.113.9", awsRegion: "us-east-1" } }]);

    const byId = await preview({ ...templates, sample: { taskId: older }, channelType: "slack" });
    expect(byId.status).toBe(200);
    expect(byId.json).toMatchObject({
      sample: { taskId: older, processId: pid },
      title: "CreateUser in 111122223333",
      message: `alice from 198.51.100.1 (task ${older})`,
      fields: { Region: "eu-west-1" },
    });
    expect(Object.keys(byId.json.payloads)).toEqual(["slack"]);
    expect(JSON.stringify(byId.json.payloads.slack)).toContain("CreateUser in 111122223333");

    const byProcess = await preview({ ...templates, sample: { processId: pid } });
    expect(byProcess.status).toBe(200);
    expect(byProcess.json).toMatchObject({ sample: { taskId: newest, processId: pid }, title: "StopLogging in 444455556666", message: `bob from 203.0.113.9 (task ${newest})` });
  });

  it("answers 404 for an unknown task or a process without tasks, and 400 naming a broken template", async () => {
    const empty = await h.publish(buildScheme(startNode("s", "done"), finalNode("done")), { title: "preview: empty" });
    expect((await preview({ ...templates, sample: { taskId: "00000000-0000-4000-8000-000000000000" } })).status).toBe(404);
    const none = await preview({ ...templates, sample: { processId: empty } });
    expect(none.status).toBe(404);
    expect(none.json.error?.message).toContain("has no task yet");
    const broken = await preview({ ...templates, title: "$.math(2 +)", sample: { data: { eventName: "x" } } });
    expect(broken.status).toBe(400);
    expect(broken.json.error?.message).toMatch(/^title: \$\.math: /);
  });
});

import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { SourcesPanel } from "@/components/admin/sources-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sources · Conveyor" };

export default async function SourcesPage() {
  await requirePageActor("source:manage", "/admin/sources");
  const { db, config } = webContext();
  const processes = await db.process.findMany({ select: { id: true, title: true }, orderBy: { id: "asc" } });
  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">CloudTrail sources</h1>
      <p className="text-sm text-slate-600">
        Each source is a URL that accepts CloudTrail records (arrays, log files plain or gzip, EventBridge events, SNS messages) and turns every record into a task of
        its process, deduplicated by eventID. The AWS forwarder Lambda (integrations/aws) posts to it.
      </p>
      <SourcesPanel processes={processes} appUrl={config.APP_URL} />
    </main>
  );
}

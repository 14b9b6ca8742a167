import { requirePageActor } from "@/app/_lib/page-auth";
import { RetentionPanel } from "@/components/admin/retention-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Retention · Conveyor" };

export default async function RetentionPage() {
  await requirePageActor("retention:manage", "/admin/retention");
  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 overflow-y-auto p-6">
      <h1 className="text-2xl font-semibold">Retention</h1>
      <p className="text-sm text-slate-600">
        How long each process keeps its finished tasks. Older ones are deleted with their history and ingestion eventIDs (a redelivered old event is then accepted
        again); with &ldquo;archive&rdquo; they are first written to gzip JSON lines files on the worker. Node counters keep their totals: a final node still shows every
        task it ever received. Live tasks are never touched.
      </p>
      <RetentionPanel />
    </main>
  );
}

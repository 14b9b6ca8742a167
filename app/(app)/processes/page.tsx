import Link from "next/link";
import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { listProcesses } from "@/server/processes/process-queries";

export const dynamic = "force-dynamic";
export const metadata = { title: "Processes · Conveyor" };

export default async function ProcessesPage() {
  await requirePageActor("process:read", "/processes");
  const processes = await listProcesses({ db: webContext().db });
  return (
    <main className="mx-auto w-full max-w-5xl p-6">
      <h1 className="mb-4 text-2xl font-semibold">Processes</h1>
      {processes.length === 0 ? (
        <p className="text-slate-600">No processes yet.</p>
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-lg border border-slate-200 bg-white" data-testid="process-list">
          {processes.map((p) => (
            <li key={p.id}>
              <Link href={`/processes/${p.id}`} className="flex items-center gap-4 px-4 py-3 hover:bg-slate-50">
                <span className="w-12 text-sm text-slate-400">#{p.id}</span>
                <span className="flex-1">
                  <span className="block font-medium">{p.title}</span>
                  <span className="block text-sm text-slate-500">{p.folder ? `${p.folder} · ` : ""}{p.description}</span>
                </span>
                <span className="text-sm text-slate-500">{p.publishedVersion ? `v${p.publishedVersion}` : "draft"}</span>
                <span className={`rounded px-2 py-0.5 text-xs ${p.status === "active" ? "bg-emerald-50 text-emerald-700" : "bg-amber-50 text-amber-700"}`}>{p.status}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

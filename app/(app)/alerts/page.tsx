import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { AlertLog } from "@/components/alerts/alert-log";
import { can } from "@/server/auth/roles";

export const dynamic = "force-dynamic";
export const metadata = { title: "Alerts · Conveyor" };

export default async function AlertsPage() {
  const actor = await requirePageActor("alert:read", "/alerts");
  const { db, pool } = webContext();
  const [processes, channels] = await Promise.all([
    db.process.findMany({ select: { id: true, title: true }, orderBy: { id: "asc" } }),
    // Every name alerts were sent to, deleted channels included.
    pool.query<{ name: string }>("SELECT name FROM channel UNION SELECT DISTINCT channel_name FROM alert ORDER BY 1").then((r) => r.rows.map((x) => x.name)),
  ]);
  return (
    <main className="mx-auto w-full max-w-7xl space-y-4 overflow-y-auto p-6">
      <h1 className="text-2xl font-semibold">Alert delivery log</h1>
      <p className="text-sm text-slate-600">
        Every alert notify blocks raised and every channel test: its status, attempts, last error and latency from the notify to the receiver&apos;s answer.
        Click a row for the rendered message and each attempt; a failed (dead-lettered) alert can be sent again.
      </p>
      <AlertLog processes={processes} channels={channels} canResend={can(actor.role, "alert:resend")} />
    </main>
  );
}

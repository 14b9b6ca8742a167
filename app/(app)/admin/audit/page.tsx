import { requirePageActor } from "@/app/_lib/page-auth";
import { AuditTable } from "@/components/admin/audit-table";
import { AUDIT_ACTIONS } from "@/server/audit/audit-log";

export const metadata = { title: "Audit log · Conveyor" };

export default async function AuditPage() {
  await requirePageActor("audit:read", "/admin/audit");
  return (
    <main className="mx-auto w-full max-w-6xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <AuditTable actions={AUDIT_ACTIONS} />
    </main>
  );
}

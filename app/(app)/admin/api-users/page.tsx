import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { ApiUsersPanel } from "@/components/admin/api-users-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "API users · Conveyor" };

export default async function ApiUsersPage() {
  await requirePageActor("apiuser:manage", "/admin/api-users");
  const folders = await webContext().db.folder.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
  return (
    <main className="mx-auto w-full max-w-5xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">API users</h1>
      <p className="text-sm text-slate-600">
        Machines (a CloudTrail Lambda, a service) sign requests to the Corezoid-compatible API
        <code className="mx-1 rounded bg-slate-100 px-1">/api/1/json/&#123;login&#125;/&#123;time&#125;/&#123;signature&#125;</code>
        with a login and a secret; rights are granted per folder.
      </p>
      <ApiUsersPanel folders={folders} />
    </main>
  );
}

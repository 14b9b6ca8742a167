import { requirePageActor } from "@/app/_lib/page-auth";
import { UsersPanel } from "@/components/admin/users-panel";

export const metadata = { title: "Operators · Conveyor" };

export default async function UsersPage() {
  const actor = await requirePageActor("user:manage", "/admin/users");
  return (
    <main className="mx-auto w-full max-w-5xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Operators</h1>
      <p className="text-sm text-slate-600">Admins manage users, keys and channels; editors change processes and tasks; viewers only read.</p>
      <UsersPanel currentUserId={actor.id} />
    </main>
  );
}

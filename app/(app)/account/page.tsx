import { requirePageActor } from "@/app/_lib/page-auth";
import { ChangePasswordForm } from "@/components/auth/change-password-form";

export const metadata = { title: "Account · Conveyor" };

export default async function AccountPage() {
  const actor = await requirePageActor("process:read", "/account");
  return (
    <main className="mx-auto w-full max-w-3xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Your account</h1>
      <p className="text-sm text-slate-600">{actor.name} · {actor.email} · {actor.role}</p>
      <ChangePasswordForm />
    </main>
  );
}

import { webContext } from "@/app/_lib/context";
import { AcceptInviteForm } from "@/components/auth/accept-invite-form";
import { describeInvite } from "@/server/users/user-service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Join Conveyor" };

/** Public: the token in the URL is the credential (single use, 7 days). */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await describeInvite({ db: webContext().db, token });
  return (
    <main className="flex min-h-full items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-2 text-xl font-semibold">Join Conveyor</h1>
        {invite ? (
          <>
            <p className="mb-6 text-sm text-slate-600">Welcome, {invite.name}. Set a password for <strong>{invite.email}</strong>.</p>
            <AcceptInviteForm token={token} email={invite.email} />
          </>
        ) : (
          <p className="text-sm text-slate-600" data-testid="invite-invalid">This invitation link is not valid: it was used, it expired, or a newer one replaced it. Ask an administrator for a new link.</p>
        )}
      </div>
    </main>
  );
}

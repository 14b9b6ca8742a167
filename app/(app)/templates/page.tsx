import { requirePageActor } from "@/app/_lib/page-auth";
import { InstallPackButton } from "@/components/templates/install-pack-button";
import { can } from "@/server/auth/roles";
import { rulesIndex } from "@/templates/aws-security-pack";

export const metadata = { title: "Templates · Conveyor" };

export default async function TemplatesPage() {
  const actor = await requirePageActor("process:read", "/templates");
  const rules = rulesIndex();
  return (
    <main className="mx-auto w-full max-w-5xl space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Templates</h1>
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-5">
        <h2 className="text-lg font-semibold">AWS security pack</h2>
        <p className="text-sm text-slate-600">
          Four processes: an event router (account aliases, routing by event type), the non-API checks of the original example (console sign-ins, MFA, spot
          instances; failed sign-ins counted per account — 3 within 5 minutes alert), and API checks implementing the AWS CloudTrail alarm template and CIS AWS
          Foundations 4.1–4.15. Alerts go to the channel <code className="rounded bg-slate-100 px-1">security-alerts</code>. Installed on first start; install a
          fresh copy here. Point an ingestion source at the router.
        </p>
        <ul className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-2">
          {rules.map((r) => <li key={r.id}><span className="font-medium">{r.title}</span> <span className="text-slate-500">({r.refs.join(", ")})</span></li>)}
          <li><span className="font-medium">Console sign-in failures, 3 within 5 minutes per account</span> <span className="text-slate-500">(AWS #8, CIS 4.6, CloudWatch.6)</span></li>
        </ul>
        {can(actor.role, "process:write") && <InstallPackButton />}
      </section>
    </main>
  );
}

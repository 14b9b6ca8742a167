import { webContext } from "@/app/_lib/context";
import { requirePageActor } from "@/app/_lib/page-auth";
import { ChannelsPanel } from "@/components/alerts/channels-panel";
import { TemplatePreview } from "@/components/alerts/template-preview";
import { can } from "@/server/auth/roles";
import { findMissingChannels } from "@/server/alerts/channel-service";
import { CHANNEL_FORMS, DEFAULT_RATE } from "@/server/alerts/channel-types";

export const dynamic = "force-dynamic";
export const metadata = { title: "Channels · Conveyor" };

export default async function ChannelsPage() {
  const actor = await requirePageActor("channel:read", "/channels");
  const { db, pool } = webContext();
  const [missing, processes] = await Promise.all([
    findMissingChannels(pool),
    db.process.findMany({ select: { id: true, title: true }, orderBy: { id: "asc" } }),
  ]);
  const canManage = can(actor.role, "channel:manage");
  return (
    <main className="mx-auto w-full max-w-6xl space-y-6 overflow-y-auto p-6">
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">Alert channels</h1>
        <p className="text-sm text-slate-600">
          Notify blocks send alerts to a channel by its name. Secrets (webhook URLs, tokens, passwords) are stored encrypted and only ever shown masked
          {canManage ? "" : "; only admins can see or change channels"}. Deliveries are retried with backoff and recorded in the <a className="text-brand-700 underline" href="/alerts">delivery log</a>.
        </p>
        <ChannelsPanel forms={CHANNEL_FORMS} defaultRates={DEFAULT_RATE} canManage={canManage} missing={missing} />
      </section>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Message template preview</h2>
        <TemplatePreview processes={processes} channelTypes={Object.fromEntries(Object.entries(CHANNEL_FORMS).map(([t, f]) => [t, f.title]))} />
      </section>
    </main>
  );
}

import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_lib/page-auth";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { can } from "@/server/auth/roles";

// Every page behind the login depends on who asks: never prerendered.
export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor("process:read");
  return (
    <div className="flex h-screen flex-col">
      <header className="flex h-12 shrink-0 items-center gap-6 border-b border-slate-200 bg-white px-4">
        <Link href="/processes" className="flex items-center gap-2 font-semibold">
          <span className="inline-block h-5 w-5 rounded bg-brand-600" aria-hidden />
          Conveyor
        </Link>
        <nav className="flex gap-4 text-sm text-slate-600">
          <Link href="/processes" className="hover:text-slate-900">Processes</Link>
          <Link href="/overview" className="hover:text-slate-900">Overview</Link>
          <Link href="/dashboards" className="hover:text-slate-900">Dashboards</Link>
          <Link href="/templates" className="hover:text-slate-900">Templates</Link>
          {can(actor.role, "user:manage") && <Link href="/admin/users" className="hover:text-slate-900">Operators</Link>}
          {can(actor.role, "apiuser:manage") && <Link href="/admin/api-users" className="hover:text-slate-900">API users</Link>}
          {can(actor.role, "alert:read") && <Link href="/alerts" className="hover:text-slate-900">Alerts</Link>}
          {can(actor.role, "channel:read") && <Link href="/channels" className="hover:text-slate-900">Channels</Link>}
          {can(actor.role, "source:manage") && <Link href="/admin/sources" className="hover:text-slate-900">Sources</Link>}
          {can(actor.role, "audit:read") && <Link href="/admin/audit" className="hover:text-slate-900">Audit log</Link>}
          {can(actor.role, "retention:manage") && <Link href="/admin/retention" className="hover:text-slate-900">Retention</Link>}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
          <Link href="/account" className="hover:text-slate-900" data-testid="current-user">
            {actor.email} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs uppercase tracking-wide">{actor.role}</span>
          </Link>
          <SignOutButton />
        </div>
      </header>
      <div className="flex min-h-0 flex-1 flex-col">{children}</div>
    </div>
  );
}

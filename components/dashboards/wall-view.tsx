"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api } from "../lib/api";
import { LiveStatus, useDashboardData } from "./dashboard-view";
import { WidgetTile } from "./widget-tile";
import type { Dashboard } from "./types";

/**
 * A dashboard for a wall display: dark, nothing but the widgets, large
 * numbers, refreshed every second; "Full screen" hides the browser too. The
 * layout follows edits made elsewhere (the dashboard itself is re-read every
 * 30 seconds).
 */
export function WallView({ initial }: { initial: Dashboard }) {
  const dash = useQuery({ queryKey: ["dashboard", initial.id], queryFn: () => api<{ dashboard: Dashboard }>(`/api/dashboards/${initial.id}`).then((r) => r.dashboard), initialData: initial, refetchInterval: 30_000, refetchIntervalInBackground: true });
  const data = useDashboardData(initial.id);
  const [now, setNow] = useState<Date | null>(null);
  const [full, setFull] = useState(false);
  useEffect(() => {
    setNow(new Date());
    const t = setInterval(() => setNow(new Date()), 1000);
    const onChange = () => setFull(Boolean(document.fullscreenElement));
    document.addEventListener("fullscreenchange", onChange);
    return () => {
      clearInterval(t);
      document.removeEventListener("fullscreenchange", onChange);
    };
  }, []);
  const d = dash.data;
  return (
    <div className="min-h-screen bg-slate-950 p-6 text-slate-100" data-testid="wall-view">
      <header className="mb-5 flex items-center gap-4">
        <h1 className="flex-1 truncate text-3xl font-semibold">{d.title}</h1>
        <LiveStatus at={data.data?.at} error={data.error} dark />
        <span className="text-2xl tabular-nums text-slate-300" suppressHydrationWarning>{now?.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
        {!full && (
          <>
            <button type="button" className="rounded border border-slate-600 px-3 py-1 text-sm hover:bg-slate-800" onClick={() => void document.documentElement.requestFullscreen?.()} data-testid="fullscreen">Full screen</button>
            <Link href={`/dashboards/${d.id}`} className="text-sm text-slate-400 hover:text-slate-200">Exit</Link>
          </>
        )}
      </header>
      <div className="grid grid-cols-1 gap-5 md:grid-cols-4">
        {d.widgets.map((w) => (
          <WidgetTile key={w.id} widget={w} data={data.data?.widgets[w.id]} processTitle={"processId" in w && w.processId ? data.data?.processes[w.processId]?.title : undefined} dark />
        ))}
      </div>
    </div>
  );
}

"use client";
import { useQuery } from "@tanstack/react-query";

/** Live task counts per node, polled every second (final nodes: running total). */
export function useNodeCounts(processId: number) {
  return useQuery({
    queryKey: ["node-counts", processId],
    queryFn: async (): Promise<Record<string, number>> => {
      const res = await fetch(`/api/processes/${processId}/counts`, { cache: "no-store" });
      if (!res.ok) throw new Error(`counts: HTTP ${res.status}`);
      return ((await res.json()) as { counts: Record<string, number> }).counts;
    },
    refetchInterval: 1000,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
}

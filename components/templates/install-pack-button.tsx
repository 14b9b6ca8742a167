"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../lib/api";
import { Button, ErrorNote } from "../lib/ui";

interface Installed { processes: Array<{ id: number; title: string }> }

export function InstallPackButton() {
  const install = useMutation({ mutationFn: () => api<Installed>("/api/templates/aws-security-pack", { method: "POST" }) });
  return (
    <div className="space-y-2">
      <Button onClick={() => install.mutate()} disabled={install.isPending} data-testid="install-pack">Install a copy</Button>
      <ErrorNote error={install.error} />
      {install.data && (
        <ul className="text-sm" data-testid="installed-processes">
          {install.data.processes.map((p) => <li key={p.id}><Link className="text-brand-600 underline" href={`/processes/${p.id}`}>#{p.id} {p.title}</Link></li>)}
        </ul>
      )}
    </div>
  );
}

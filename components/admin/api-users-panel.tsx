"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input, OnceBox, Select } from "../lib/ui";

interface Grant { folderId: number | null; folderName?: string | null; canCreate: boolean; canModify: boolean; canView: boolean }
interface ApiUserRow { id: string; login: string; name: string; disabled: boolean; secretRotatedAt: string; grants: Grant[] }

/**
 * API users (Corezoid's login + secret for signed requests) with rights per
 * folder. A secret is shown once, at creation or rotation.
 */
export function ApiUsersPanel({ folders }: { folders: Array<{ id: number; name: string }> }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["api-users"], queryFn: () => api<{ apiUsers: ApiUserRow[] }>("/api/admin/api-users").then((r) => r.apiUsers) });
  const [shown, setShown] = useState<{ login: string; secret: string } | null>(null);
  const [name, setName] = useState("");
  const [grant, setGrant] = useState<Grant>({ folderId: null, canCreate: true, canModify: false, canView: false });
  const refresh = () => void qc.invalidateQueries({ queryKey: ["api-users"] });
  const create = useMutation({
    mutationFn: () => api<{ apiUser: { login: string }; secret: string }>("/api/admin/api-users", { body: { name, grants: [grant] } }),
    onSuccess: (r) => {
      setShown({ login: r.apiUser.login, secret: r.secret });
      setName("");
      refresh();
    },
  });
  const rotate = useMutation({ mutationFn: (u: ApiUserRow) => api<{ secret: string }>(`/api/admin/api-users/${u.id}/rotate`, { method: "POST" }).then((r) => ({ login: u.login, secret: r.secret })), onSuccess: (r) => setShown(r) });
  const patch = useMutation({ mutationFn: ({ id, ...body }: { id: string; disabled?: boolean }) => api(`/api/admin/api-users/${id}`, { method: "PATCH", body }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/admin/api-users/${id}`, { method: "DELETE" }), onSettled: refresh });
  const folderName = (g: Grant) => (g.folderId === null ? "all folders" : (g.folderName ?? `#${g.folderId}`));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="api-user-form">
        <Field label="Name"><Input value={name} onChange={(e) => setName(e.target.value)} placeholder="cloudtrail forwarder" /></Field>
        <Field label="Folder">
          <Select value={grant.folderId ?? ""} onChange={(e) => setGrant({ ...grant, folderId: e.target.value === "" ? null : Number(e.target.value) })}>
            <option value="">All folders</option>
            {folders.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </Select>
        </Field>
        {(["canCreate", "canModify", "canView"] as const).map((k) => (
          <label key={k} className="flex items-center gap-1 pb-2 text-sm">
            <input type="checkbox" checked={grant[k]} onChange={(e) => setGrant({ ...grant, [k]: e.target.checked })} />
            {k === "canCreate" ? "create tasks" : k === "canModify" ? "modify tasks" : "view tasks"}
          </label>
        ))}
        <Button onClick={() => create.mutate()} disabled={!name.trim() || create.isPending}>Create API user</Button>
        <div className="basis-full"><ErrorNote error={create.error} /></div>
      </div>
      {shown && <OnceBox title={`Secret of API login ${shown.login}`} value={shown.secret} testId="api-secret" />}
      <ErrorNote error={list.error ?? patch.error ?? remove.error ?? rotate.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="api-users-table">
        <thead className="bg-slate-50 text-left text-slate-500"><tr><th className="px-3 py-2">API user</th><th className="px-3 py-2">Login</th><th className="px-3 py-2">Rights</th><th className="px-3 py-2" /></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {(list.data ?? []).map((u) => (
            <tr key={u.id}>
              <td className="px-3 py-2"><div className="font-medium">{u.name}</div>{u.disabled && <div className="text-red-700">disabled</div>}</td>
              <td className="px-3 py-2 font-mono">{u.login}</td>
              <td className="px-3 py-2">
                {u.grants.length === 0 ? <span className="text-slate-400">none</span> : u.grants.map((g, i) => (
                  <div key={i}>{folderName(g)}: {[g.canCreate && "create", g.canModify && "modify", g.canView && "view"].filter(Boolean).join(", ") || "—"}</div>
                ))}
              </td>
              <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right">
                <Button variant="secondary" onClick={() => rotate.mutate(u)}>Rotate secret</Button>
                <Button variant="secondary" onClick={() => patch.mutate({ id: u.id, disabled: !u.disabled })}>{u.disabled ? "Enable" : "Disable"}</Button>
                <Button variant="danger" onClick={() => confirm(`Delete API user ${u.name}? Requests signed with its secret will be refused.`) && remove.mutate(u.id)}>Delete</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

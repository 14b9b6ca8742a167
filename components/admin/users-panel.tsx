"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input, OnceBox, Select } from "../lib/ui";

interface UserRow { id: string; email: string; name: string; role: string; disabled: boolean; hasPassword: boolean; createdAt: string }
const ROLES = ["admin", "editor", "viewer"] as const;

/** Operators: invite (a link to hand over), change roles, disable. */
export function UsersPanel({ currentUserId }: { currentUserId: string }) {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ["admin-users"], queryFn: () => api<{ users: UserRow[] }>("/api/admin/users").then((r) => r.users) });
  const [link, setLink] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: (body: { email: string; name: string; role: string }) => api<{ inviteUrl: string }>("/api/admin/users", { body }),
    onSuccess: (r) => {
      setLink(r.inviteUrl);
      void qc.invalidateQueries({ queryKey: ["admin-users"] });
    },
  });
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string; role?: string; disabled?: boolean }) => api(`/api/admin/users/${id}`, { method: "PATCH", body }),
    onSettled: () => void qc.invalidateQueries({ queryKey: ["admin-users"] }),
  });
  const reinvite = useMutation({ mutationFn: (id: string) => api<{ inviteUrl: string }>(`/api/admin/users/${id}/invite`, { method: "POST" }), onSuccess: (r) => setLink(r.inviteUrl) });

  function onInvite(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    invite.mutate({ email: String(f.get("email")), name: String(f.get("name")), role: String(f.get("role")) });
  }

  return (
    <div className="space-y-6">
      <form onSubmit={onInvite} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="invite-form">
        <Field label="E-mail"><Input name="email" type="email" required /></Field>
        <Field label="Name"><Input name="name" required /></Field>
        <Field label="Role">
          <Select name="role" defaultValue="editor">{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</Select>
        </Field>
        <Button type="submit" disabled={invite.isPending}>Invite</Button>
        <div className="basis-full"><ErrorNote error={invite.error} /></div>
      </form>
      {link && <OnceBox title="Invitation link — send it to the new operator" value={link} testId="invite-link" />}
      <ErrorNote error={update.error ?? users.error} />
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm" data-testid="users-table">
        <thead className="bg-slate-50 text-left text-slate-500">
          <tr><th className="px-3 py-2">Operator</th><th className="px-3 py-2">Role</th><th className="px-3 py-2">Status</th><th className="px-3 py-2" /></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {(users.data ?? []).map((u) => (
            <tr key={u.id} data-testid={`user-${u.email}`}>
              <td className="px-3 py-2"><div className="font-medium">{u.name}</div><div className="text-slate-500">{u.email}</div></td>
              <td className="px-3 py-2">
                <Select aria-label={`role of ${u.email}`} value={u.role} disabled={u.id === currentUserId} onChange={(e) => update.mutate({ id: u.id, role: e.target.value })}>
                  {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                </Select>
              </td>
              <td className="px-3 py-2">{u.disabled ? <span className="text-red-700">disabled</span> : u.hasPassword ? "active" : <span className="text-amber-700">invited</span>}</td>
              <td className="space-x-2 px-3 py-2 text-right">
                {!u.hasPassword && <Button variant="secondary" onClick={() => reinvite.mutate(u.id)}>New link</Button>}
                {u.id !== currentUserId && (
                  <Button variant={u.disabled ? "secondary" : "danger"} onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}>{u.disabled ? "Enable" : "Disable"}</Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

"use client";
import { useState, type FormEvent } from "react";
import { authClient } from "./auth-client";
import { Button, ErrorNote, Field, Input } from "../lib/ui";

export function ChangePasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = String(f.get("next"));
    if (next !== String(f.get("again"))) return setError("The new passwords differ.");
    const { error: err } = await authClient.changePassword({ currentPassword: String(f.get("current")), newPassword: next, revokeOtherSessions: true });
    if (err) setError(err.message ?? "Could not change the password");
    else {
      setError(null);
      setDone(true);
      e.currentTarget.reset();
    }
  }
  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-3" data-testid="change-password-form">
      <Field label="Current password"><Input name="current" type="password" autoComplete="current-password" required /></Field>
      <Field label="New password (10+ characters)"><Input name="next" type="password" autoComplete="new-password" minLength={10} required /></Field>
      <Field label="New password again"><Input name="again" type="password" autoComplete="new-password" minLength={10} required /></Field>
      <ErrorNote error={error} />
      {done && <p className="text-sm text-emerald-700" role="status">Password changed. Other sessions were signed out.</p>}
      <Button type="submit">Change password</Button>
    </form>
  );
}

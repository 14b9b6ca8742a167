"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { Button, ErrorNote, Field, Input } from "../lib/ui";

export function AcceptInviteForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (String(f.get("password")) !== String(f.get("again"))) return setError("The passwords differ.");
    try {
      await api(`/api/invite/${encodeURIComponent(token)}`, { body: { password: String(f.get("password")) } });
      router.replace(`/login?next=/processes&email=${encodeURIComponent(email)}`);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3" data-testid="accept-invite-form">
      <Field label="Choose a password (10+ characters)"><Input name="password" type="password" autoComplete="new-password" minLength={10} required /></Field>
      <Field label="Password again"><Input name="again" type="password" autoComplete="new-password" minLength={10} required /></Field>
      <ErrorNote error={error} />
      <Button type="submit" className="w-full">Set password</Button>
    </form>
  );
}

import { Suspense } from "react";
import { LoginForm } from "@/components/auth/login-form";

export const metadata = { title: "Sign in · Conveyor" };

export default function LoginPage() {
  return (
    <main className="flex min-h-full items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="mb-6 flex items-center gap-2">
          <span className="inline-block h-7 w-7 rounded-md bg-brand-600" aria-hidden />
          <h1 className="text-xl font-semibold">Conveyor</h1>
        </div>
        <p className="mb-6 text-sm text-slate-600">Sign in to draw, run and watch your processes.</p>
        <Suspense>
          <LoginForm />
        </Suspense>
      </div>
    </main>
  );
}

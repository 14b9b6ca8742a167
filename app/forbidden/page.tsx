import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-full flex-col items-center justify-center gap-3">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="text-slate-600">Your role does not allow this page. Ask an administrator.</p>
      <Link className="text-brand-600 underline" href="/processes">Back to processes</Link>
    </main>
  );
}

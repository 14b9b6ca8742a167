"use client";
import { forwardRef } from "react";
import { SHORTCUTS } from "./use-shortcuts";

/** The keyboard shortcuts (a native `<dialog>`: Esc closes, focus stays inside). */
export const ShortcutsDialog = forwardRef<HTMLDialogElement>(function ShortcutsDialog(_, ref) {
  return (
    <dialog ref={ref} className="m-auto w-[30rem] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40" aria-labelledby="shortcuts-title" data-testid="shortcuts-dialog">
      <div className="space-y-3 p-4">
        <h2 id="shortcuts-title" className="text-lg font-semibold">Keyboard shortcuts</h2>
        <table className="w-full text-sm">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys} className="border-t border-slate-100">
                <td className="py-1 pr-3 font-mono text-xs">{keys}</td>
                <td className="py-1">{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="dialog" className="text-right">
          <button className="rounded-md border border-slate-300 px-3 py-1 text-sm">Close</button>
        </form>
      </div>
    </dialog>
  );
});

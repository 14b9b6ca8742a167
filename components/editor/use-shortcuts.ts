"use client";
import { useEffect, useRef } from "react";

export interface ShortcutActions {
  undo(): void;
  redo(): void;
  copy(): string | null;
  cut(): void;
  /** Pastes nodes from clipboard text (null: use the editor's own last copy). */
  paste(text: string | null): void;
  duplicate(): void;
  selectAll(): void;
  save(): void;
  layout(): void;
  fit(): void;
  help(): void;
  escape(): void;
}

export const SHORTCUTS: ReadonlyArray<[keys: string, what: string]> = [
  ["Ctrl/⌘ Z", "undo"],
  ["Ctrl/⌘ Shift Z, Ctrl/⌘ Y", "redo"],
  ["Ctrl/⌘ C / X / V", "copy, cut, paste nodes (also into another process)"],
  ["Ctrl/⌘ D", "duplicate the selected nodes"],
  ["Ctrl/⌘ A", "select all nodes"],
  ["Delete, Backspace", "delete the selected nodes or links"],
  ["Shift drag, Shift/Ctrl click", "select several nodes"],
  ["Ctrl/⌘ S", "save now (drafts also save by themselves)"],
  ["L", "auto-layout"],
  ["F", "zoom to fit"],
  ["Esc", "clear the selection and highlights"],
  ["?", "this list"],
];

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

/**
 * Editor keyboard shortcuts (ignored while typing in a field). Copy and paste
 * go through the browser's copy/paste events too, so nodes reach the system
 * clipboard where the browser allows it; when a paste event does not come
 * (some browsers send none for non-editable pages), the editor's own last
 * copy is pasted.
 */
export function useShortcuts(actions: ShortcutActions, enabled: { edit: boolean }): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    let pastePending: ReturnType<typeof setTimeout> | null = null;
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target) || e.defaultPrevented) return;
      const a = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const run = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      if (mod && key === "s") return run(a.save);
      if (mod && key === "c") return void a.copy(); // the copy event below also fills the system clipboard
      if (!enabled.edit) {
        if (!mod && key === "f") run(a.fit);
        else if (e.key === "?") run(a.help);
        else if (e.key === "Escape") a.escape();
        return;
      }
      if (mod && key === "z") return run(e.shiftKey ? a.redo : a.undo);
      if (mod && key === "y") return run(a.redo);
      if (mod && key === "x") return run(a.cut);
      if (mod && key === "d") return run(a.duplicate);
      if (mod && key === "a") return run(a.selectAll);
      if (mod && key === "v") {
        // Wait for the paste event; without one, paste the editor's own copy.
        pastePending = setTimeout(() => {
          pastePending = null;
          ref.current.paste(null);
        }, 60);
        return;
      }
      if (mod || e.altKey) return;
      if (key === "l") run(a.layout);
      else if (key === "f") run(a.fit);
      else if (e.key === "?") run(a.help);
      else if (e.key === "Escape") a.escape();
    };
    const onCopy = (e: ClipboardEvent) => {
      if (typingIn(e.target)) return;
      const text = ref.current.copy();
      if (text && e.clipboardData) {
        e.clipboardData.setData("text/plain", text);
        e.preventDefault();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (typingIn(e.target) || !enabled.edit) return;
      if (pastePending) clearTimeout(pastePending);
      pastePending = null;
      e.preventDefault();
      ref.current.paste(e.clipboardData?.getData("text/plain") || null);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
      if (pastePending) clearTimeout(pastePending);
    };
  }, [enabled.edit]);
}

"use client";
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { suggestAt } from "../model/known-params";
import { useInspector } from "./inspector-context";

type Suggestions = NonNullable<ReturnType<typeof suggestAt>>;

/**
 * A text field for values that may hold templates: typing `{{` offers the
 * process's known parameters (and `root.*` fields), typing `$.` offers the
 * template functions. Arrow keys choose, Enter or Tab accepts, Escape closes.
 */
export function TemplateInput({ value, onChange, multiline = false, rows = 3, placeholder, label, invalid, testId, mono = false }: {
  value: string;
  onChange(value: string): void;
  multiline?: boolean;
  rows?: number;
  placeholder?: string;
  /** Accessible name when there is no visible label element. */
  label?: string;
  invalid?: boolean;
  testId?: string;
  mono?: boolean;
}) {
  const { names, readOnly } = useInspector();
  const listId = useId();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [open, setOpen] = useState<Suggestions | null>(null);
  const [active, setActive] = useState(0);
  const closing = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = (text: string, caret: number | null) => {
    // A close scheduled by an earlier blur must not hide what this keystroke offers.
    if (closing.current) clearTimeout(closing.current);
    closing.current = null;
    const s = caret === null ? null : suggestAt(text, caret, names);
    setOpen(s);
    setActive(0);
  };

  const accept = (i: number) => {
    const el = ref.current;
    if (!open || !el) return;
    const caret = el.selectionStart ?? value.length;
    const item = open.items[i];
    const next = value.slice(0, open.replaceFrom) + item.insert + value.slice(caret);
    onChange(next);
    setOpen(null);
    const at = open.replaceFrom + item.insert.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(at, at);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    if (e.key === "ArrowDown") setActive((a) => (a + 1) % open.items.length);
    else if (e.key === "ArrowUp") setActive((a) => (a - 1 + open.items.length) % open.items.length);
    else if (e.key === "Enter" || e.key === "Tab") accept(active);
    else if (e.key === "Escape") setOpen(null);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const common = {
    ref,
    value,
    placeholder,
    "aria-label": label,
    "aria-invalid": invalid || undefined,
    "data-testid": testId,
    role: "combobox",
    "aria-autocomplete": "list" as const,
    "aria-expanded": !!open,
    "aria-controls": listId,
    "aria-activedescendant": open ? `${listId}-${active}` : undefined,
    readOnly,
    onChange: (e: { target: { value: string; selectionStart: number | null } }) => {
      if (readOnly) return;
      onChange(e.target.value);
      refresh(e.target.value, e.target.selectionStart);
    },
    onKeyDown,
    // Closing waits a moment so a click on a suggestion lands first.
    onBlur: () => {
      closing.current = setTimeout(() => setOpen(null), 150);
    },
    className: `w-full rounded-md border px-2 py-1 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500/30 ${mono ? "font-mono text-xs" : ""} ${invalid ? "border-red-400" : "border-slate-300"} ${readOnly ? "border-slate-200 bg-slate-50 text-slate-600 shadow-none" : ""}`,
  };
  return (
    <div className="relative">
      {multiline ? <textarea rows={rows} {...common} /> : <input type="text" {...common} />}
      {open && (
        <ul id={listId} role="listbox" className="absolute z-20 mt-1 max-h-56 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg" data-testid="template-suggestions">
          {open.items.map((item, i) => (
            <li
              key={item.label}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`cursor-pointer px-2 py-1 ${i === active ? "bg-brand-50 text-brand-700" : ""}`}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(i);
              }}
            >
              <span className="font-mono text-xs">{item.label}</span>
              {item.help && <span className="ml-2 text-xs text-slate-500">{item.help}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

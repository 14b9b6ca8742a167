"use client";
import { useMemo, useState, type DragEvent } from "react";
import { PALETTE, type BlockGroup } from "@/engine/index";
import { PALETTE_DRAG_TYPE } from "./flow-canvas";
import { NODE_KIND_ENTRIES, type NewNodeKind } from "./model/scheme-edit";

const GROUP_TITLE: Record<BlockGroup | "ends", string> = {
  routing: "Routing",
  data: "Data",
  integration: "Integration",
  alerting: "Alerting",
  processes: "Other processes",
  waiting: "Waiting",
  ends: "Ends and errors",
};
const GROUP_ORDER: Array<BlockGroup | "ends"> = ["routing", "data", "integration", "alerting", "waiting", "processes", "ends"];

interface Item {
  kind: NewNodeKind;
  title: string;
  description: string;
  group: BlockGroup | "ends";
}

const ITEMS: Item[] = [
  ...PALETTE.map((p) => ({ kind: p.block, title: p.title, description: p.description, group: p.group })),
  ...NODE_KIND_ENTRIES.map((e) => ({ ...e, group: "ends" as const })),
];

/**
 * Every block of the engine's registry, grouped and searchable. Drag a block
 * onto the canvas, or press it (Enter) to add it in the middle of the view.
 */
export function Palette({ onAdd }: { onAdd(kind: NewNodeKind): void }) {
  const [q, setQ] = useState("");
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const hits = ITEMS.filter((i) => !needle || i.title.toLowerCase().includes(needle) || i.description.toLowerCase().includes(needle));
    return GROUP_ORDER.map((g) => ({ g, items: hits.filter((i) => i.group === g) })).filter((x) => x.items.length > 0);
  }, [q]);
  const onDragStart = (e: DragEvent, kind: NewNodeKind) => {
    e.dataTransfer.setData(PALETTE_DRAG_TYPE, kind);
    e.dataTransfer.effectAllowed = "copy";
  };
  return (
    <nav aria-label="Blocks" className="flex h-full flex-col" data-testid="palette">
      <div className="p-2">
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search blocks" aria-label="Search blocks"
          className="w-full rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="palette-search" />
      </div>
      <div className="min-h-0 flex-1 space-y-3 overflow-y-auto px-2 pb-4">
        {groups.map(({ g, items }) => (
          <section key={g}>
            <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-slate-500">{GROUP_TITLE[g]}</h3>
            <ul className="space-y-1">
              {items.map((i) => (
                <li key={i.kind}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(e) => onDragStart(e, i.kind)}
                    onClick={() => onAdd(i.kind)}
                    title={i.description}
                    className="w-full cursor-grab rounded-md border border-slate-200 bg-white px-2 py-1.5 text-left text-sm shadow-sm hover:border-brand-500 active:cursor-grabbing"
                    data-testid={`palette-${i.kind}`}
                  >
                    <span className="block font-medium">{i.title}</span>
                    <span className="block truncate text-xs text-slate-500">{i.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {groups.length === 0 && <p className="text-sm text-slate-500">No block matches “{q}”.</p>}
      </div>
    </nav>
  );
}

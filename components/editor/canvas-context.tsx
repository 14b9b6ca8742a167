"use client";
import { createContext, useContext } from "react";
import { KeyedStore, useKeyed } from "./value-store";

/** What every node on the canvas can read without it travelling through node data. */
export interface CanvasContextValue {
  counts: KeyedStore<number>;
  editable: boolean;
  /** Live counts are shown (the process has a published version). */
  showCounts: boolean;
}

export const CanvasContext = createContext<CanvasContextValue>({ counts: new KeyedStore<number>(), editable: false, showCounts: false });

export function useCanvas(): CanvasContextValue {
  return useContext(CanvasContext);
}

export function useNodeCount(nodeId: string): number {
  return useKeyed(useCanvas().counts, nodeId) ?? 0;
}

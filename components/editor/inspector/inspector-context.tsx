"use client";
import { createContext, useContext } from "react";
import type { ProcessScheme } from "@/engine/index";

export interface ProcessOption {
  id: number;
  title: string;
}

/** What every inspector form may offer: known parameter names, other processes, the nodes of this one. */
export interface InspectorContextValue {
  names: string[];
  processes: ProcessOption[];
  scheme: ProcessScheme;
  processId: number;
  readOnly: boolean;
}

export const InspectorContext = createContext<InspectorContextValue>({ names: [], processes: [], scheme: { nodes: [] }, processId: 0, readOnly: true });

export function useInspector(): InspectorContextValue {
  return useContext(InspectorContext);
}

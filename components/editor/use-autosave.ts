"use client";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { ValidationIssue } from "@/engine/index";
import { api, ApiError } from "../lib/api";
import type { EditorStore } from "./model/editor-store";

export type SaveStatus = "saved" | "unsaved" | "saving" | "error" | "conflict";

const DEBOUNCE_MS = 800;

/**
 * Saves the draft a moment after the last edit (PUT with the revision it was
 * loaded or last saved at). A save that finds another revision stops and
 * reports a conflict: the operator chooses to reload theirs or overwrite it.
 */
export function useAutosave({ store, processId, initialRevision, enabled }: { store: EditorStore; processId: number; initialRevision: number; enabled: boolean }) {
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  const revision = useRef(initialRevision);
  const inFlight = useRef<Promise<void> | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<number | null>(null);
  const [serverIssues, setServerIssues] = useState<{ version: number; issues: ValidationIssue[] } | null>(null);

  const saveNow = useCallback(async (): Promise<void> => {
    if (inFlight.current) await inFlight.current;
    const { version, savedVersion } = store.getState();
    if (version === savedVersion || conflict !== null) return;
    const doc = store.doc;
    const run = (async () => {
      setSaving(true);
      try {
        const res = await api<{ revision: number; issues: ValidationIssue[] }>(`/api/processes/${processId}/draft`, { method: "PUT", body: { revision: revision.current, scheme: doc.scheme, params: doc.params } });
        revision.current = res.revision;
        store.markSaved(version);
        setServerIssues({ version, issues: res.issues });
        setError(null);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) setConflict((err.details as { revision?: number } | undefined)?.revision ?? -1);
        else setError(err instanceof Error ? err.message : String(err));
      } finally {
        setSaving(false);
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
  }, [store, processId, conflict]);

  useEffect(() => {
    if (!enabled || state.version === state.savedVersion || conflict !== null) return;
    const t = setTimeout(() => void saveNow(), error ? DEBOUNCE_MS * 4 : DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [enabled, state.version, state.savedVersion, conflict, error, saveNow]);

  useEffect(() => {
    if (!enabled) return;
    // Leaving with unsaved changes asks first.
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      const s = store.getState();
      if (s.version !== s.savedVersion) e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [enabled, store]);

  const status: SaveStatus = conflict !== null ? "conflict" : saving ? "saving" : error ? "error" : state.version === state.savedVersion ? "saved" : "unsaved";
  return {
    status,
    error,
    saveNow,
    /** Issues the server found in the last saved draft (it knows the other processes). */
    serverIssues: serverIssues && serverIssues.version === state.version ? serverIssues.issues : null,
    /** After a conflict: take the server's revision and save ours over it. */
    overwrite: () => {
      if (conflict !== null && conflict >= 0) revision.current = conflict;
      setConflict(null);
    },
    /** After a conflict or a restore: the server's draft is now the document. */
    adopt: (rev: number) => {
      revision.current = rev;
      setConflict(null);
      setError(null);
    },
  };
}

/**
 * The editor's document store: the draft (scheme + parameters) with its
 * undo/redo history. A plain subscribable object (React reads it through
 * useSyncExternalStore), so the canvas, inspector, autosave and keyboard
 * shortcuts share one source of truth without prop drilling.
 */
import type { ProcessParam, ProcessScheme } from "@/engine/index";
import { createHistory, record, redo, undo, type History } from "./history";

export interface EditorDoc {
  scheme: ProcessScheme;
  params: ProcessParam[];
}

export interface EditorState {
  history: History<EditorDoc>;
  /** Bumped on every change of the document (edits, undo, redo, loads). */
  version: number;
  /** The document version the server has; `version !== savedVersion` means unsaved changes. */
  savedVersion: number;
}

export class EditorStore {
  private state: EditorState;
  private readonly listeners = new Set<() => void>();

  constructor(doc: EditorDoc, private readonly now: () => number = () => Date.now()) {
    this.state = { history: createHistory(doc), version: 0, savedVersion: 0 };
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getState = (): EditorState => this.state;

  get doc(): EditorDoc {
    return this.state.history.present;
  }

  private set(next: EditorState): void {
    if (next === this.state) return;
    this.state = next;
    for (const fn of this.listeners) fn();
  }

  /** Applies an edit as one undo step (`key`: merge with the previous edit of the same key). */
  edit(fn: (doc: EditorDoc) => EditorDoc, key?: string): void {
    const next = fn(this.doc);
    if (next === this.doc) return;
    this.set({ ...this.state, history: record(this.state.history, next, { key: key ?? null, now: this.now() }), version: this.state.version + 1 });
  }

  editScheme(fn: (scheme: ProcessScheme) => ProcessScheme, key?: string): void {
    this.edit((d) => {
      const scheme = fn(d.scheme);
      return scheme === d.scheme ? d : { ...d, scheme };
    }, key);
  }

  undo(): void {
    const h = undo(this.state.history);
    if (h !== this.state.history) this.set({ ...this.state, history: h, version: this.state.version + 1 });
  }

  redo(): void {
    const h = redo(this.state.history);
    if (h !== this.state.history) this.set({ ...this.state, history: h, version: this.state.version + 1 });
  }

  get canUndo(): boolean {
    return this.state.history.past.length > 0;
  }

  get canRedo(): boolean {
    return this.state.history.future.length > 0;
  }

  /** Replaces the document as the server has it (restore, reload after a conflict): a fresh history, nothing unsaved. */
  reset(doc: EditorDoc): void {
    const version = this.state.version + 1;
    this.set({ history: createHistory(doc), version, savedVersion: version });
  }

  /** The server now holds document version `version`. */
  markSaved(version: number): void {
    if (version > this.state.savedVersion) this.set({ ...this.state, savedVersion: version });
  }
}

import { describe, expect, it } from "vitest";
import { EditorStore } from "./editor-store";
import { HISTORY_LIMIT } from "./history";

const doc = (n: number) => ({ scheme: { nodes: [], n } as never, params: [] });

describe("editor store undo/redo", () => {
  it("undoes and redoes edits; a new edit drops the redo branch", () => {
    let t = 0;
    const store = new EditorStore(doc(0), () => (t += 5000));
    store.edit(() => doc(1));
    store.edit(() => doc(2));
    store.undo();
    expect((store.doc.scheme as unknown as { n: number }).n).toBe(1);
    store.redo();
    expect((store.doc.scheme as unknown as { n: number }).n).toBe(2);
    store.undo();
    store.edit(() => doc(3));
    expect(store.canRedo).toBe(false);
    store.undo();
    store.undo();
    expect((store.doc.scheme as unknown as { n: number }).n).toBe(0);
    expect(store.canUndo).toBe(false);
  });

  it("merges a burst of edits with the same key into one step", () => {
    let t = 0;
    const store = new EditorStore(doc(0), () => (t += 100));
    store.edit(() => doc(1), "title");
    store.edit(() => doc(2), "title");
    store.edit(() => doc(3), "title");
    store.undo();
    expect((store.doc.scheme as unknown as { n: number }).n).toBe(0);
  });

  it("keeps at most HISTORY_LIMIT steps and tracks unsaved changes by version", () => {
    let t = 0;
    const store = new EditorStore(doc(0), () => (t += 5000));
    for (let i = 1; i <= HISTORY_LIMIT + 20; i++) store.edit(() => doc(i));
    expect(store.getState().history.past).toHaveLength(HISTORY_LIMIT);
    const v = store.getState().version;
    expect(store.getState().savedVersion).not.toBe(v);
    store.markSaved(v);
    expect(store.getState().savedVersion).toBe(v);
    store.reset(doc(99));
    expect(store.canUndo).toBe(false);
    expect(store.getState().savedVersion).toBe(store.getState().version);
  });
});

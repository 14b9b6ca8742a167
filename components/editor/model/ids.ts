/** A new node id: 24 hex digits, the shape of Corezoid's (Mongo ObjectId-style) ids. */
export function newNodeId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

import type { Db } from "../db/client.ts";
import { parseScheme, type ProcessScheme } from "../../engine/index.ts";

/** Published versions are immutable, so their parsed schemes are cached for the life of the process. */
export class SchemeCache {
  private readonly byVersion = new Map<number, Promise<ProcessScheme>>();
  constructor(private readonly db: Db, private readonly max = 1000) {}

  get(versionId: number): Promise<ProcessScheme> {
    let p = this.byVersion.get(versionId);
    if (!p) {
      p = this.db.processVersion.findUniqueOrThrow({ where: { id: versionId }, select: { scheme: true } }).then((v) => parseScheme(v.scheme));
      p.catch(() => this.byVersion.delete(versionId));
      if (this.byVersion.size >= this.max) this.byVersion.delete(this.byVersion.keys().next().value as number);
      this.byVersion.set(versionId, p);
    }
    return p;
  }
}

import type { Db } from "../server/db/client.ts";
import { importCorezoidExport, type ImportResult } from "../server/processes/import-corezoid.ts";
import { buildAwsSecurityPack } from "./aws-security-pack.ts";

/** Installs (imports and publishes) the AWS security pack as a new folder of ordinary processes. */
export function installAwsSecurityPack({ db, actorId = null }: { db: Db; actorId?: string | null }): Promise<ImportResult> {
  return importCorezoidExport({ db, json: buildAwsSecurityPack(), actorId });
}

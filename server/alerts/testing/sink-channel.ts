import type { Db } from "../../db/client.ts";
import { createSecretBox } from "../../crypto/secret-box.ts";
import { createChannel } from "../channel-service.ts";
import { startHttpReceiver, type HttpReceiver } from "./receivers.ts";

/**
 * For tests and the benchmark whose processes notify a channel but which are
 * not about delivery: a webhook channel of that name pointing at a local
 * receiver that answers 200 (the worker needs HTTP_ALLOW_PRIVATE=true to reach it).
 * A channel of that name left by an earlier test file (the test database is
 * shared by files run one after another) is replaced: its receiver is gone.
 */
export async function createSinkChannel({ db, encryptionKey, name }: { db: Db; encryptionKey: string; name: string }): Promise<HttpReceiver> {
  const sink = await startHttpReceiver(() => ({ status: 200 }));
  await db.channel.deleteMany({ where: { name } });
  await createChannel({ db, box: createSecretBox(encryptionKey), input: { name, type: "webhook", settings: {}, secrets: { url: `${sink.url}/${encodeURIComponent(name)}`, signingSecret: "sink-signing-secret-0123456789" }, rate: null } });
  return sink;
}

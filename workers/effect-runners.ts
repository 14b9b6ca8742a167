import type { AppConfig } from "../server/config.ts";
import type { Command } from "../engine/index.ts";
import { createCodeRunner } from "../server/sandbox/code-runner.ts";
import { createHttpCaller } from "../server/http/perform-http-call.ts";
import type { CodeOutcome, HttpOutcome } from "./effects.ts";

/**
 * What the effects worker calls out with: API Call requests through the
 * SSRF-guarded client (cloud metadata and link-local always blocked; private
 * networks only when HTTP_ALLOW_PRIVATE or HTTP_ALLOW_HOSTS allow them), and
 * Code blocks in the isolated-vm sandbox (JavaScript only).
 */
export function createEffectRunners(config: AppConfig) {
  const codeRunner = createCodeRunner({
    memoryLimitMb: config.CODE_MEMORY_MB,
    maxOutputBytes: config.TASK_SIZE_LIMIT_BYTES,
    ...(config.CODE_MAX_CONCURRENT > 0 ? { maxConcurrent: config.CODE_MAX_CONCURRENT } : {}),
  });
  const httpCaller = createHttpCaller({ policy: { allowPrivate: config.HTTP_ALLOW_PRIVATE, allowHosts: config.HTTP_ALLOW_HOSTS }, maxRequestBytes: config.HTTP_MAX_REQUEST_BYTES });
  return {
    http: (c: Extract<Command, { type: "httpCall" }>): Promise<HttpOutcome> =>
      httpCaller.call({ request: c.request, timeoutMs: c.timeoutMs, maxResponseBytes: c.maxResponseBytes, certPem: c.certPem }),
    code: (c: Extract<Command, { type: "runCode" }>): Promise<CodeOutcome> =>
      c.lang === "js"
        ? codeRunner.run({ src: c.src, data: c.data, timeoutMs: c.timeoutMs })
        : Promise.resolve({ error: "executing_error", description: `Code blocks run JavaScript here; lang "${c.lang}" is not supported` }),
    async close() {
      await Promise.all([codeRunner.close(), httpCaller.close()]);
    },
  };
}

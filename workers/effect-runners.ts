import type { AppConfig } from "../server/config.ts";
import type { CodeOutcome, HttpOutcome } from "./effects.ts";
import type { Command } from "../engine/index.ts";

// PLACEHOLDER until server/http and server/sandbox land (not to be committed).
export function createEffectRunners(_config: AppConfig) {
  return {
    http: async (_c: Extract<Command, { type: "httpCall" }>): Promise<HttpOutcome> => ({ error: "fatal", description: "no http runner yet" }),
    code: async (_c: Extract<Command, { type: "runCode" }>): Promise<CodeOutcome> => ({ error: "executing_error", description: "no code runner yet" }),
    close: async () => {},
  };
}

/**
 * Every block by logic type. The mapped type makes a logic type without a block a compile
 * error; the editor's palette and inspector read titles, groups and config schemas here.
 */
import type { Logic, LogicOf, LogicType } from "../model/logic.ts";
import { apiCallBlock } from "./api-call.ts";
import type { BlockDefinition } from "./block.ts";
import { callProcessBlock } from "./call-process.ts";
import { codeBlock } from "./code.ts";
import { conditionBlock } from "./condition.ts";
import { copyTaskBlock } from "./copy-task.ts";
import { getFromQueueBlock } from "./get-from-queue.ts";
import { goBlock } from "./go.ts";
import { notifyBlock } from "./notify.ts";
import { queueBlock } from "./queue.ts";
import { replyBlock } from "./reply-to-process.ts";
import { setParamBlock } from "./set-param.ts";
import { sumBlock } from "./sum.ts";
import { callbackBlock } from "./waiting-for-callback.ts";

export type BlockType = LogicType;
export type BlockRegistry = { [T in BlockType]: BlockDefinition<LogicOf<T>> };

export const blockRegistry: BlockRegistry = {
  go: goBlock,
  go_if_const: conditionBlock,
  set_param: setParamBlock,
  api: apiCallBlock,
  api_code: codeBlock,
  api_copy: copyTaskBlock,
  api_rpc: callProcessBlock,
  api_rpc_reply: replyBlock,
  api_sum: sumBlock,
  api_queue: queueBlock,
  api_get_task: getFromQueueBlock,
  api_callback: callbackBlock,
  notify: notifyBlock,
};

/** The definition for a logic. (TypeScript cannot correlate the union with the mapped type, hence the cast.) */
export function blockFor<L extends Logic>(logic: L): BlockDefinition<L> {
  return blockRegistry[logic.type as BlockType] as unknown as BlockDefinition<L>;
}

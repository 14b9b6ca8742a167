/**
 * Every block by logic type. The mapped type makes a logic type without a block a compile
 * error; the editor's palette and inspector read titles, groups and config schemas here.
 */
import type { Logic, LogicOf, LogicType } from "../model/logic.ts";
import type { BlockDefinition } from "./block.ts";
import { conditionBlock } from "./condition.ts";
import { goBlock } from "./go.ts";
import { setParamBlock } from "./set-param.ts";

export type BlockType = LogicType;
export type BlockRegistry = { [T in BlockType]: BlockDefinition<LogicOf<T>> };

export const blockRegistry: BlockRegistry = {
  go: goBlock,
  go_if_const: conditionBlock,
  set_param: setParamBlock,
};

/** The definition for a logic. (TypeScript cannot correlate the union with the mapped type, hence the cast.) */
export function blockFor<L extends Logic>(logic: L): BlockDefinition<L> {
  return blockRegistry[logic.type as BlockType] as unknown as BlockDefinition<L>;
}

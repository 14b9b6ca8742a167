/**
 * Conveyor's engine: Corezoid's process model, blocks, templates, validation and the pure
 * step reducer. Nothing here performs I/O; see docs/engine.md for the contract.
 */

// Model
export {
  nodeSchema, schemeSchema, parseScheme, safeParseScheme, SchemeParseError, NODE_TYPES,
  findNode, nodeIndex, isSetStateNode, startNode, startNodes, timeSemaphorOf, countSemaphorOf, finalKindOf, readJsonField,
  type SchemeNode, type ProcessScheme,
} from "./model/scheme.ts";
export { logicSchema, LOGIC_TYPES, type Logic, type LogicType, type LogicOf } from "./model/logic.ts";
export {
  parseCorezoidExport, exportedProcessSchema, exportedFolderSchema, ExportParseError,
  type CorezoidExport, type ExportedProcess, type ExportedFolder,
} from "./model/corezoid-export.ts";
export { processParamSchema, checkTaskInput, type ProcessParam, type InputProblem } from "./model/params.ts";
export { schemeEdges, nodeEdges, type SchemeEdge } from "./model/edges.ts";
export {
  semaphorSchema, timeSemaphorSchema, countSemaphorSchema, TIME_DIMENSIONS,
  type Semaphor, type TimeSemaphor, type CountSemaphor,
} from "./model/semaphor.ts";

// Blocks
export { blockRegistry, blockFor, type BlockType, type BlockRegistry } from "./blocks/registry.ts";
export type { BlockDefinition, BlockGroup, BlockContext, EdgeKind, Port, Outcome, LogicFailure, ErrorType } from "./blocks/block.ts";
export { evaluateCondition } from "./blocks/condition.ts";
export { PALETTE, nodeBlock, nodeKind, type NodeKind, type PaletteBlock, type PaletteEntry } from "./blocks/palette.ts";
export { queuedTaskPayload } from "./blocks/queue.ts";
export { copyErrorType } from "./blocks/copy-task.ts";
export { buildApiRequest } from "./blocks/api-call.ts";

// Runtime
export { step, timerFireAt, type StepInput, type StepResult, type TrailEntry } from "./runtime/step.ts";
export type { TaskEvent, TaskEventType, HttpFailure, HttpResultEvent, CodeResultEvent, CopyResultEvent, QueueResultEvent } from "./runtime/events.ts";
export type { Command, CommandType, CommandOrigin, HttpRequest, HttpMethod, NotifySeverity } from "./runtime/commands.ts";
export { NOTIFY_SEVERITIES, commandKey, awaitsAnswer } from "./runtime/commands.ts";
export {
  validateRef, isLive, REF_MAX_LENGTH, NOT_UNICAL_REF, NOT_UNICAL_REF_DESCRIPTION,
  type TaskSnapshot, type TaskStatus, type FinalKind, type Waiting, type WaitingKind, type PendingTimer, type RpcParent,
} from "./runtime/task.ts";
export { newTask, type NewTaskInput } from "./runtime/new-task.ts";
export { DEFAULT_OPTIONS, resolveOptions, type Clock, type StepOptions, type ResolvedOptions } from "./runtime/options.ts";
export { listSchemeLookups, type LookupRequest } from "./runtime/lookups.ts";
export { countSignal, countThreshold, type CountSignal } from "./runtime/count-semaphor.ts";
export { jsonText } from "./util/json.ts";
export { errorFields, errorFieldNames, TASK_ERROR_PREFIX, LOOP_LIMIT_TAG, NODE_NOT_FOUND_TAG, CALLBACK_LIMIT_TAG } from "./runtime/errors.ts";

// Templates
export type { Lookup, RootFields, TemplateScope } from "./expr/scope.ts";
export { renderTemplate, resolveTemplate, isDynamic, toText } from "./expr/template.ts";
export { castValue, VALUE_TYPES, type ValueType } from "./expr/cast.ts";
export { TemplateError } from "./expr/errors.ts";

// Validation
export { validateProcess, type ValidationIssue, type ValidateOptions, type KnownProcess, type IssueCode } from "./validate/validate-process.ts";

// Test and dry-run support (pure, in-memory)
export { FakeWorld, type WorldOptions, type WorldProcess, type HttpAnswer, type CodeAnswer } from "./testing/fake-world.ts";
export { fakeClock, type FakeClock } from "./testing/builders.ts";

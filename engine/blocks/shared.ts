/** Schema pieces and helpers shared by several blocks. */
import { z } from "zod";
import { VALUE_TYPES } from "../expr/cast.ts";
import type { Port } from "./block.ts";

/** `extra` / `data` / `res_data`: values are usually template text; exports may hold literals. */
export const valueMapSchema = z.record(z.string(), z.unknown());
/** `extra_type` / `data_type`: unknown type names are read as string. */
export const valueTypesSchema = z.record(z.string(), z.string());

/** A target process: a number, an `@alias` or a template. */
export const convIdSchema = z.union([z.number(), z.string()]);

/** The error exit of an action logic, when it has one. */
export function errorPort(logic: { err_node_id?: string }): Port[] {
  return logic.err_node_id ? [{ kind: "error", target: logic.err_node_id }] : [];
}

/** Strict (editor/publish) forms of value maps and their types. */
export const strictValueMapSchema = z.record(z.string().min(1, "parameter name is empty"), z.string());
export const strictValueTypesSchema = z.record(z.string(), z.enum(VALUE_TYPES));

"use client";
import type { LogicFormProps } from "../form-kit";
import { ConditionForm } from "./condition-form";

/** Set State: a state of a state diagram; after each modification the branches are checked, otherwise the task stays. */
export function SetStateForm(props: LogicFormProps) {
  return (
    <>
      <p className="text-xs text-slate-500">The task stays in this state until a modification makes a branch match (a match on entry does not move it).</p>
      <ConditionForm {...props} defaultLabel="Otherwise: stay" />
    </>
  );
}

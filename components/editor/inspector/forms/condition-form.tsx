"use client";
import type { SchemeNode } from "@/engine/index";
import { setLogics } from "../../model/scheme-edit";
import { ConditionsEditor, LinkTarget, Section, SmallButton, type ConditionValue } from "../fields";
import type { LogicFormProps } from "../form-kit";

type Branch = { type: "go_if_const"; to_node_id: string; conditions: ConditionValue[] };
type NodeLogic = SchemeNode["condition"]["logics"][number];

/**
 * Condition (also the conditions of a Set State): branches in order — the
 * first whose conditions all hold wins — and the default exit. Each branch is
 * one go_if_const logic with its own port on the canvas.
 */
export function ConditionForm({ node, editNode, defaultLabel = "Otherwise" }: LogicFormProps & { defaultLabel?: string }) {
  const logics = node.condition.logics;
  const branches = logics.map((l, i) => ({ l, i })).filter((x) => x.l.type === "go_if_const") as Array<{ l: Branch & NodeLogic; i: number }>;
  const exit = logics.findIndex((l) => l.type === "go" && l.to_node_id !== node.id);
  const edit = (fn: (ls: NodeLogic[]) => NodeLogic[], key: string) => editNode((n) => setLogics(n, fn(n.condition.logics)), `${node.id}:${key}`);

  const addBranch = () =>
    edit((ls) => {
      // A new branch goes after the last branch, else before the exit (branches run before the go).
      const lastBranch = ls.reduce((acc, l, i) => (l.type === "go_if_const" ? i : acc), -1);
      const firstGo = ls.findIndex((l) => l.type === "go");
      const pos = lastBranch >= 0 ? lastBranch + 1 : firstGo >= 0 ? firstGo : ls.length;
      const branch = { type: "go_if_const", to_node_id: "", conditions: [{ param: "", const: "", fun: "eq", cast: "string" }] } as NodeLogic;
      return [...ls.slice(0, pos), branch, ...ls.slice(pos)];
    }, "add-branch");
  const move = (i: number, j: number) => edit((ls) => {
    const next = [...ls];
    [next[i], next[j]] = [next[j], next[i]];
    return next;
  }, `move-${i}`);

  return (
    <Section title="Branches" actions={<SmallButton onClick={addBranch} testId="add-branch">+ branch</SmallButton>}>
      <ol className="space-y-2">
        {branches.map(({ l, i }, n) => (
          <li key={i} className="space-y-1 rounded-md border border-blue-200 p-2" data-testid={`branch-${n}`}>
            <div className="flex items-center gap-1">
              <span className="text-xs font-semibold text-blue-800">Branch {n + 1}</span>
              <span className="ml-auto flex gap-1">
                {n > 0 && <SmallButton label={`move branch ${n + 1} up`} onClick={() => move(i, branches[n - 1].i)}>↑</SmallButton>}
                {n < branches.length - 1 && <SmallButton label={`move branch ${n + 1} down`} onClick={() => move(i, branches[n + 1].i)}>↓</SmallButton>}
                <SmallButton label={`remove branch ${n + 1}`} tone="danger" onClick={() => edit((ls) => ls.filter((_, j) => j !== i), `remove-${i}`)}>✕</SmallButton>
              </span>
            </div>
            <ConditionsEditor
              conditions={l.conditions}
              onChange={(conditions) => edit((ls) => ls.map((x, j) => (j === i ? ({ ...x, conditions } as NodeLogic) : x)), `branch-${i}`)}
              testId={`branch-${n}`}
            />
            <LinkTarget target={l.to_node_id} kind={`branch ${n + 1}`} />
          </li>
        ))}
      </ol>
      {exit >= 0 && (
        <div className="flex items-center gap-2 text-xs">
          <span className="font-semibold text-slate-600">{defaultLabel}</span>
          <LinkTarget target={(logics[exit] as { to_node_id: string }).to_node_id} kind="default" />
        </div>
      )}
    </Section>
  );
}

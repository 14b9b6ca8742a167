/**
 * The AWS security pack: four ordinary processes, built here as a Corezoid
 * export (templates/aws-security-pack.json is generated from this file by
 * `npm run templates:build`; a test keeps the two equal), installed with the
 * Corezoid importer — so everything in it can be seen and changed in the editor.
 *
 *   01 Router:      Start ─▶ Map account to alias ─▶ Route by event type ─┬─▶ To non-API checks (copy ─▶ 02) ─▶ Routed
 *                                                                          ├─▶ To API checks (copy ─▶ 03) ─▶ Routed
 *                                                                          └─▶ Not classified ✗
 *   02 Non-API:     console sign-in success/failure, MFA used or not, spot instances fulfilled/evicted,
 *                   a message built like the example's; sign-in failures counted per account (─▶ 04);
 *                   rules: sign-in without MFA, root sign-in ─▶ Notify
 *   03 API checks:  the AWS alarm template's rules and CIS 4.1–4.15 in a chain: each rule ─(match)─▶ Notify ─▶ next rule
 *   04 Sign-in failure window (state diagram, one task per account): 3 failures within 5 minutes of each
 *                   other by eventTime (a sliding window: the two latest failure times are kept) ─▶ Notify
 */
import { createHash } from "node:crypto";
import { API_RULES, SIGNIN_FAILURE_RULE, SIGNIN_RULES, type Rule } from "./rules.ts";

export const PACK_CHANNEL = "security-alerts";
export const PACK_FOLDER = "AWS security pack";
export const PACK_IDS = { folder: 9000, router: 9001, nonApi: 9002, api: 9003, window: 9004 } as const;

type Logic = Record<string, unknown> & { type: string };
interface Node {
  id: string;
  obj_type: 0 | 1 | 2 | 3;
  condition: { logics: Logic[]; semaphors: Array<Record<string, unknown>> };
  title: string;
  description: string;
  x: number;
  y: number;
  extra: string;
}

/** Stable 24-hex node ids, so the generated file does not change from run to run. */
const nid = (proc: string, name: string) => createHash("sha1").update(`${proc}/${name}`).digest("hex").slice(0, 24);

class SchemeBuilder {
  readonly nodes: Node[] = [];
  constructor(private readonly proc: string) {}
  id(name: string) {
    return nid(this.proc, name);
  }
  private add(name: string, obj_type: Node["obj_type"], logics: Logic[], at: [number, number], opts: { icon?: string; semaphors?: Node["condition"]["semaphors"]; description?: string; title?: string } = {}) {
    this.nodes.push({
      id: this.id(name), obj_type, condition: { logics, semaphors: opts.semaphors ?? [] }, title: opts.title ?? name, description: opts.description ?? "",
      x: at[0], y: at[1], extra: JSON.stringify({ modeForm: obj_type === 0 ? "expand" : "collapse", icon: opts.icon ?? "" }),
    });
    return this.id(name);
  }
  start(to: string, at: [number, number] = [400, 40]) {
    return this.add("Start", 1, [go(this.id(to))], at);
  }
  node(name: string, logics: Logic[], at: [number, number], opts: { semaphors?: Node["condition"]["semaphors"]; description?: string; icon?: string } = {}) {
    return this.add(name, 0, logics, at, opts);
  }
  escalation(name: string, logics: Logic[], at: [number, number]) {
    return this.add(name, 3, logics, at);
  }
  final(name: string, at: [number, number], icon: "success" | "error" = "success") {
    return this.add(name, 2, [], at, { icon });
  }
}

const go = (to: string): Logic => ({ type: "go", to_node_id: to });
const when = (to: string, conditions: Array<{ param: string; fun: string; value: string; cast?: string }>): Logic => ({
  type: "go_if_const", to_node_id: to, conditions: conditions.map((c) => ({ param: c.param, const: c.value, fun: c.fun, cast: c.cast ?? "string" })),
});
const setParam = (values: Record<string, string>, err: string): Logic => ({
  type: "set_param", extra: values, extra_type: Object.fromEntries(Object.keys(values).map((k) => [k, "string"])), err_node_id: err,
});
const copyTo = (convId: number, err: string, extra: Partial<Logic> = {}): Logic => ({
  type: "api_copy", mode: "create", conv_id: convId, ref: "", group: "all", data: {}, data_type: {}, err_node_id: err, ...extra,
});

/** Who, what, where, from which IP, and the account's alias. */
const WHO = "{{userIdentity.arn}}";
function notify(rule: { title: string; refs: string[]; severity: string }, next: string, what = "{{eventName}} ({{eventSource}})"): Logic {
  return {
    type: "notify", channel: PACK_CHANNEL, severity: rule.severity,
    title: `${rule.title}: {{eventName}} in {{AccountAlias}}`,
    message: `${rule.title} — ${WHO} called ${what} in account {{AccountAlias}} ({{recipientAccountId}}), region {{awsRegion}}, from {{sourceIPAddress}} at {{eventTime}}.`,
    fields: { Rule: rule.refs.join(", "), Who: WHO, What: what, Account: "{{AccountAlias}} ({{recipientAccountId}})", Region: "{{awsRegion}}", "Source IP": "{{sourceIPAddress}}", Error: "{{errorCode}}" },
    err_node_id: next,
  };
}

/** Each rule in turn: ─(match)─▶ Alert ─▶ next rule; ─(no match)─▶ next rule. */
/** Roughly how tall the editor draws a condition node with `branches` branches (plus "otherwise"). */
const conditionHeight = (branches: number) => 60 + 22 * (branches + 1);

/** Each rule in turn: ─(match)─▶ Alert ─▶ next rule; ─(no match)─▶ next rule. Returns the y below the chain. */
function ruleChain(b: SchemeBuilder, rules: Rule[], first: [number, number], end: string): number {
  let y = first[1];
  rules.forEach((rule, i) => {
    const next = i + 1 < rules.length ? b.id(`Rule: ${rules[i + 1].title}?`) : end;
    b.node(`Rule: ${rule.title}?`, [...rule.any.map((m) => when(b.id(`Alert: ${rule.title}`), m.all)), go(next)], [first[0], y], { description: rule.refs.join(", ") });
    b.node(`Alert: ${rule.title}`, [notify(rule, next), go(next)], [first[0] + 380, y + 20], { description: `Severity ${rule.severity}` });
    y += Math.max(140, conditionHeight(rule.any.length) + 50);
  });
  return y;
}

function router(): unknown {
  const b = new SchemeBuilder("router");
  b.start("Map account to alias");
  b.node("Map account to alias", [
    when(b.id("Alias: Demo Account"), [{ param: "recipientAccountId", fun: "eq", value: "123456789012" }]),
    go(b.id("Alias: account id")),
  ], [360, 160], { description: "One branch per account: add yours (account id ─▶ a Set Parameter with its alias)." });
  b.node("Alias: Demo Account", [setParam({ AccountAlias: "Demo Account" }, b.id("Set alias failed")), go(b.id("Route by event type"))], [160, 300]);
  b.node("Alias: account id", [setParam({ AccountAlias: "{{recipientAccountId}}" }, b.id("Set alias failed")), go(b.id("Route by event type"))], [560, 300]);
  b.final("Set alias failed", [900, 300], "error");
  b.node("Route by event type", [
    when(b.id("To non-API checks"), [{ param: "eventType", fun: "eq", value: "AwsConsoleSignIn" }]),
    when(b.id("To non-API checks"), [{ param: "eventType", fun: "eq", value: "AwsServiceEvent" }]),
    when(b.id("To API checks"), [{ param: "eventType", fun: "eq", value: "AwsApiCall" }]),
    when(b.id("To API checks"), [{ param: "eventType", fun: "eq", value: "AwsConsoleAction" }]),
    go(b.id("Not classified")),
  ], [360, 440]);
  b.final("Not classified", [760, 440], "error");
  // Each copy's error cluster sits on its outer side, clear of the copy nodes and "Routed" between them.
  for (const [name, conv, x, side] of [["To non-API checks", PACK_IDS.nonApi, 160, -300], ["To API checks", PACK_IDS.api, 560, 300]] as const) {
    // Corezoid's error cluster: infrastructure failures wait 30 s and retry; anything else ends in error.
    b.node(name, [copyTo(conv, b.id(`${name}: copy failed`)), go(b.id("Routed"))], [x, 620]);
    b.escalation(`${name}: copy failed`, [
      when(b.id(`${name}: retry in 30 s`), [{ param: "__conveyor_copy_task_return_type_tag__", fun: "eq", value: "crash_api" }]),
      when(b.id(`${name}: retry in 30 s`), [{ param: "__conveyor_copy_task_return_type_tag__", fun: "eq", value: "copy_task_timeout" }]),
      when(b.id(`${name}: retry in 30 s`), [{ param: "__conveyor_copy_task_return_type_tag__", fun: "eq", value: "copy_task_fatal_error" }]),
      go(b.id("Copy failed")),
    ], [x + side, 780]);
    b.node(`${name}: retry in 30 s`, [], [x + side, 980], { semaphors: [{ type: "time", value: 30, dimension: "sec", to_node_id: b.id(name) }] });
  }
  b.final("Routed", [380, 800]);
  b.final("Copy failed", [380, 1000], "error");
  return { nodes: b.nodes, web_settings: [[], []] };
}

/**
 * A failure's time for the window: its eventTime ("2023-07-10T12:01:27Z", UTC) in unix seconds.
 * `$.unixtime(...)` takes literal numbers as year, month, day, hour, minute, second (T and Z are
 * separators); an event without eventTime counts at the time it is processed (`$.unixtime()`).
 */
export const FAILURE_AT = "$.unixtime({{eventTime}})";

function nonApi(): unknown {
  const b = new SchemeBuilder("non-api");
  b.start("Prepare");
  b.node("Prepare", [setParam({ _mfaUsed: "{{additionalEventData.MFAUsed}}", _invokedBy: "{{userIdentity.invokedBy}}" }, b.id("Failed")), go(b.id("Classifier"))], [360, 140]);
  b.node("Classifier", [
    when(b.id("Service events"), [{ param: "eventType", fun: "eq", value: "AwsServiceEvent" }]),
    when(b.id("Console sign-in"), [{ param: "eventType", fun: "eq", value: "AwsConsoleSignIn" }]),
    go(b.id("Not classified")),
  ], [360, 260]);
  b.final("Not classified", [760, 260], "error");
  b.final("Failed", [1100, 140], "error");
  // Spot instances, as the example classifies them.
  b.node("Service events", [
    when(b.id("Spot instances run"), [{ param: "eventName", fun: "eq", value: "BidFulfilledEvent" }]),
    when(b.id("Spot instances terminated"), [{ param: "eventName", fun: "eq", value: "BidEvictedEvent" }]),
    go(b.id("Checked")),
  ], [0, 400]);
  b.node("Spot instances run", [setParam({ MyEventDetails: "Spot instances have been run: {{serviceEventDetails.instanceIdSet}}" }, b.id("Failed")), go(b.id("Prepare message"))], [-180, 540]);
  b.node("Spot instances terminated", [setParam({ MyEventDetails: "Spot instances have been terminated: {{serviceEventDetails.instanceIdSet}}" }, b.id("Failed")), go(b.id("Prepare message"))], [180, 540]);
  // Console sign-in: success or failure, then MFA.
  b.node("Console sign-in", [
    when(b.id("Sign-in failure"), [{ param: "responseElements.ConsoleLogin", fun: "eq", value: "Failure" }]),
    when(b.id("Sign-in success"), [{ param: "responseElements.ConsoleLogin", fun: "eq", value: "Success" }]),
    go(b.id("Unknown response")),
  ], [560, 400]);
  b.final("Unknown response", [960, 400], "error");
  b.node("Sign-in failure", [setParam({ MyEventDetails: "Failed to log in to account {{AccountAlias}} ({{recipientAccountId}}) from ip {{sourceIPAddress}}" }, b.id("Failed")), go(b.id("Count the failure"))], [440, 540]);
  b.node("Sign-in success", [setParam({ MyEventDetails: "Logged in to account {{AccountAlias}} ({{recipientAccountId}}) from ip {{sourceIPAddress}}" }, b.id("Failed")), go(b.id("Check MFA usage"))], [760, 540]);
  // Failures are counted per account by a state diagram task (ref = account): created on the first, modified after.
  b.node("Count the failure", [copyTo(PACK_IDS.window, b.id("Add to the window"), { ref: "{{recipientAccountId}}", group: "", data: { failure_at: FAILURE_AT, eventTime: "{{eventTime}}", AccountAlias: "{{AccountAlias}}", recipientAccountId: "{{recipientAccountId}}", sourceIPAddress: "{{sourceIPAddress}}", user: "{{userIdentity.userName}}" }, data_type: { failure_at: "number", eventTime: "string", AccountAlias: "string", recipientAccountId: "string", sourceIPAddress: "string", user: "string" } }), go(b.id("Check MFA usage"))], [440, 680], { description: "Creates the account's window task; when it exists (not_unical_ref), modifies it instead." });
  b.node("Add to the window", [{ type: "api_copy", mode: "modify", conv_id: PACK_IDS.window, ref: "{{recipientAccountId}}", group: "", data: { failure_at: FAILURE_AT, eventTime: "{{eventTime}}", sourceIPAddress: "{{sourceIPAddress}}", user: "{{userIdentity.userName}}" }, data_type: { failure_at: "number", eventTime: "string", sourceIPAddress: "string", user: "string" }, is_sync: true, err_node_id: b.id("Check MFA usage") }, go(b.id("Check MFA usage"))], [200, 800]);
  b.node("Check MFA usage", [
    when(b.id("Using MFA"), [{ param: "_mfaUsed", fun: "eq", value: "Yes" }]),
    go(b.id("Not using MFA")),
  ], [760, 800]);
  b.node("Using MFA", [setParam({ MfaUsage: "True" }, b.id("Failed")), go(b.id("Prepare message"))], [620, 920]);
  b.node("Not using MFA", [setParam({ MfaUsage: "False" }, b.id("Failed")), go(b.id("Prepare message"))], [900, 920]);
  b.node("Prepare message", [setParam({ MessageChannel: PACK_CHANNEL, Message: "User: {{userIdentity.userName}}\nAccount: {{AccountAlias}} ({{userIdentity.accountId}})\nMFA: {{MfaUsage}}\nType: {{userIdentity.type}}\n\n{{MyEventDetails}}" }, b.id("Failed")), go(b.id(`Rule: ${SIGNIN_RULES[0].title}?`))], [360, 1060]);
  const below = ruleChain(b, SIGNIN_RULES, [360, 1200], b.id("Checked"));
  b.final("Checked", [400, below]);
  return { nodes: b.nodes, web_settings: [[], []] };
}

function api(): unknown {
  const b = new SchemeBuilder("api");
  b.start("Prepare");
  b.node("Prepare", [setParam({ _invokedBy: "{{userIdentity.invokedBy}}" }, b.id("Failed")), go(b.id(`Rule: ${API_RULES[0].title}?`))], [360, 140], { description: "_invokedBy is \"\" when the event has no userIdentity.invokedBy (CIS 4.3's NOT EXISTS)." });
  b.final("Failed", [800, 140], "error");
  const below = ruleChain(b, API_RULES, [360, 280], b.id("Checked"));
  b.final("Checked", [400, below]);
  return { nodes: b.nodes, web_settings: [[], []] };
}

/**
 * One task per account (ref = account id); each modification is one failed sign-in, with
 * `failure_at` = its eventTime in unix seconds. A sliding window over event times: the task keeps
 * the two latest failure times t1 ≤ t2 (0: none yet); a new failure is placed after, between or
 * before them, and when the earliest and the latest of those three are at most `windowSec` apart,
 * that is `threshold` (3) failures within the window: alert, and start again from none. Failures
 * that arrive out of order (CloudTrail files hold older records) are placed by their time.
 */
function window(): unknown {
  const r = SIGNIN_FAILURE_RULE;
  if (r.threshold !== 3) throw new Error("the sign-in failure window keeps the two previous failures: it counts to 3");
  const b = new SchemeBuilder("window");
  const place = b.id("Place the failure");
  const check = b.id(`Within ${r.windowSec / 60} minutes?`);
  b.start("Init");
  b.node("Init", [setParam({ count: "0", t1: "0", t2: "0" }, b.id("Counting")), go(place)], [360, 140], { description: "count: failures since the last alert; t1 ≤ t2: the two latest failure times (unix seconds, 0 = none)." });
  b.node("Place the failure", [
    when(b.id("Latest"), [{ param: "failure_at", fun: "more_or_eq", value: "{{t2}}", cast: "number" }]),
    when(b.id("Between"), [{ param: "failure_at", fun: "more_or_eq", value: "{{t1}}", cast: "number" }]),
    go(b.id("Earliest")),
  ], [360, 260], { description: "By event time: after t2, between t1 and t2, or before t1 (a late record)." });
  // Each branch sets first/last (the earliest and latest of t1, t2 and the new failure) and keeps the two latest.
  b.node("Latest", [setParam({ count: "$.math({{count}}+1)", first: "{{t1}}", last: "{{failure_at}}", t1: "{{t2}}", t2: "{{failure_at}}" }, b.id("Counting")), go(check)], [80, 400]);
  b.node("Between", [setParam({ count: "$.math({{count}}+1)", first: "{{t1}}", last: "{{t2}}", t1: "{{failure_at}}" }, b.id("Counting")), go(check)], [360, 400]);
  b.node("Earliest", [setParam({ count: "$.math({{count}}+1)", first: "{{failure_at}}", last: "{{t2}}" }, b.id("Counting")), go(check)], [640, 400]);
  b.node(`Within ${r.windowSec / 60} minutes?`, [
    when(b.id("Alert: sign-in failures"), [
      { param: "first", fun: "more", value: "0", cast: "number" },
      { param: "last", fun: "less_or_eq", value: `$.math({{first}}+${r.windowSec})`, cast: "number" },
    ]),
    go(b.id("Counting")),
  ], [360, 540], { description: `${r.threshold} failures (the two kept and this one) no more than ${r.windowSec} s apart by event time.` });
  b.node("Alert: sign-in failures", [{
    type: "notify", channel: PACK_CHANNEL, severity: "high",
    title: `${r.threshold} failed console sign-ins in {{AccountAlias}}`,
    message: `${r.title} — ${r.threshold} failed console sign-ins within $.math({{last}}-{{first}}) seconds (at most ${r.windowSec / 60} minutes apart) in account {{AccountAlias}} ({{recipientAccountId}}); the last one by {{user}} from {{sourceIPAddress}} at {{eventTime}}.`,
    fields: { Rule: r.refs.join(", "), Account: "{{AccountAlias}} ({{recipientAccountId}})", "Last source IP": "{{sourceIPAddress}}", "Last user": "{{user}}", "Last failure": "{{eventTime}}" },
    err_node_id: b.id("Reset"),
  }, go(b.id("Reset"))], [360, 680]);
  b.node("Reset", [setParam({ count: "0", t1: "0", t2: "0" }, b.id("Counting")), go(b.id("Counting"))], [360, 800]);
  // The state: waits for the next failure (a modification); a match forwards it, otherwise it stays.
  b.node("Counting", [{ type: "api_callback" }, when(place, [{ param: "failure_at", fun: "more", value: "0", cast: "number" }]), go(b.id("Counting"))], [760, 260], { icon: "state" });
  return { nodes: b.nodes, web_settings: [[], []] };
}

/** The pack as a Corezoid export (a folder and its processes). */
export function buildAwsSecurityPack(): unknown[] {
  const proc = (obj_id: number, title: string, description: string, scheme: unknown, conv_type: "process" | "state" = "process", params: unknown[] = []) => ({
    obj_type: 1, obj_id, parent_id: PACK_IDS.folder, title, description, status: "active", params, conv_type, scheme,
  });
  const param = (name: string, descr: string) => ({ name, type: "string", descr, flags: ["input"], regex: "", regex_error_text: "" });
  const cloudTrailParams = [param("eventType", "CloudTrail event type"), param("eventName", "API or console action"), param("recipientAccountId", "Account the event belongs to"), param("sourceIPAddress", "Caller's IP address")];
  return [
    { obj_type: 0, obj_id: PACK_IDS.folder, parent_id: 0, title: PACK_FOLDER, description: "CloudTrail routing, the AWS alarm template's rules and CIS 4.1–4.15, alerting to the security-alerts channel" },
    proc(PACK_IDS.router, "AWS · 01 Event router", "Maps accounts to aliases and routes CloudTrail events to the classifiers. Point your ingestion source here.", router(), "process", [...cloudTrailParams, param("AccountAlias", "Account name")]),
    proc(PACK_IDS.nonApi, "AWS · 02 Non-API checks", "Console sign-ins (success, failure, MFA), spot instances; sign-in failures counted per account.", nonApi(), "process", cloudTrailParams),
    proc(PACK_IDS.api, "AWS · 03 API checks", "The AWS CloudTrail alarm template (10 rules) and CIS AWS Foundations 4.1–4.15, one alert per matching rule.", api(), "process", cloudTrailParams),
    proc(PACK_IDS.window, "AWS · 04 Sign-in failure window", `One task per account; alerts at ${SIGNIN_FAILURE_RULE.threshold} console sign-in failures within ${SIGNIN_FAILURE_RULE.windowSec / 60} minutes of each other (by eventTime, a sliding window).`, window(), "state"),
  ];
}

export const rulesIndex = () => [...API_RULES, ...SIGNIN_RULES].map((r) => ({ id: r.id, title: r.title, refs: r.refs }));

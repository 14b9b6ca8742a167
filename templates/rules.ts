/**
 * The rules of the AWS security pack, from the AWS CloudTrail alarm template
 * (10 alarms) and the CIS AWS Foundations Benchmark monitoring controls
 * 4.1–4.15 (shared/reference/cloudtrail.md §3). Where both name the same
 * filter, one rule carries both references.
 */
export interface Match {
  /** All must hold (AND). */
  all: Array<{ param: string; fun: "eq" | "not_eq" | "regexp"; value: string }>;
}

export interface Rule {
  id: string;
  title: string;
  refs: string[];
  severity: "low" | "medium" | "high" | "critical";
  /** Any of these matches (OR of ANDs, as a Corezoid condition set). */
  any: Match[];
}

const names = (eventNames: string[], extra: Match["all"] = []): Match[] => eventNames.map((n) => ({ all: [...extra, { param: "eventName", fun: "eq", value: n }] }));
const source = (s: string) => ({ param: "eventSource", fun: "eq" as const, value: s });

export const API_RULES: Rule[] = [
  {
    id: "unauthorized", title: "Unauthorized API call", refs: ["AWS #9 AuthorizationFailures", "CIS 4.1", "CloudWatch.2"], severity: "medium",
    any: [{ all: [{ param: "errorCode", fun: "regexp", value: "UnauthorizedOperation$" }] }, { all: [{ param: "errorCode", fun: "regexp", value: "^AccessDenied" }] }],
  },
  {
    id: "root", title: "Root account used", refs: ["CIS 4.3", "CloudWatch.1"], severity: "critical",
    // invokedBy "not exists": the pack sets _invokedBy from it first ("" when missing).
    any: [{ all: [{ param: "userIdentity.type", fun: "eq", value: "Root" }, { param: "_invokedBy", fun: "eq", value: "" }, { param: "eventType", fun: "not_eq", value: "AwsServiceEvent" }] }],
  },
  {
    id: "iam-policy", title: "IAM policy changed", refs: ["AWS #10 IAMPolicyChanges", "CIS 4.4", "CloudWatch.4"], severity: "high",
    any: names(["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]),
  },
  { id: "cloudtrail", title: "CloudTrail configuration changed", refs: ["AWS #7 CloudTrailChanges", "CIS 4.5", "CloudWatch.5"], severity: "critical", any: names(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]) },
  { id: "kms", title: "KMS key disabled or scheduled for deletion", refs: ["CIS 4.7", "CloudWatch.7"], severity: "high", any: names(["DisableKey", "ScheduleKeyDeletion"], [source("kms.amazonaws.com")]) },
  {
    id: "s3-policy", title: "S3 bucket policy changed", refs: ["CIS 4.8", "CloudWatch.8"], severity: "high",
    any: names(["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"], [source("s3.amazonaws.com")]),
  },
  { id: "config", title: "AWS Config changed", refs: ["CIS 4.9", "CloudWatch.9"], severity: "high", any: names(["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"], [source("config.amazonaws.com")]) },
  {
    id: "security-group", title: "Security group changed", refs: ["AWS #1 SecurityGroupChanges", "CIS 4.10", "CloudWatch.10"], severity: "high",
    any: names(["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"]),
  },
  {
    id: "nacl", title: "Network ACL changed", refs: ["AWS #2 NetworkAclChanges", "CIS 4.11", "CloudWatch.11"], severity: "high",
    any: names(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"]),
  },
  {
    id: "gateway", title: "Network gateway changed", refs: ["AWS #3 GatewayChanges", "CIS 4.12", "CloudWatch.12"], severity: "high",
    any: names(["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"]),
  },
  {
    id: "route-table", title: "Route table changed", refs: ["CIS 4.13", "CloudWatch.13"], severity: "medium",
    any: names(["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"]),
  },
  {
    id: "vpc", title: "VPC changed", refs: ["AWS #4 VpcChanges", "CIS 4.14", "CloudWatch.14"], severity: "high",
    any: names(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"]),
  },
  {
    id: "organizations", title: "AWS Organizations changed", refs: ["CIS 4.15"], severity: "high",
    any: names(["AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"], [source("organizations.amazonaws.com")]),
  },
  { id: "ec2-instance", title: "EC2 instances changed", refs: ["AWS #5 EC2InstanceChanges"], severity: "medium", any: names(["RunInstances", "RebootInstances", "StartInstances", "StopInstances", "TerminateInstances"]) },
  {
    id: "ec2-large", title: "Large EC2 instance launched", refs: ["AWS #6 EC2LargeInstanceChanges"], severity: "high",
    any: [{ all: [{ param: "eventName", fun: "eq", value: "RunInstances" }, { param: "requestParameters.instanceType", fun: "regexp", value: "\\.(8|4)xlarge$" }] }],
  },
];

/** Console sign-in rules, checked by the non-API classifier. */
export const SIGNIN_RULES: Rule[] = [
  {
    id: "console-no-mfa", title: "Console sign-in without MFA", refs: ["CIS 4.2", "CloudWatch.3"], severity: "high",
    any: [{ all: [
      { param: "eventName", fun: "eq", value: "ConsoleLogin" }, { param: "_mfaUsed", fun: "not_eq", value: "Yes" },
      { param: "userIdentity.type", fun: "eq", value: "IAMUser" }, { param: "responseElements.ConsoleLogin", fun: "eq", value: "Success" },
    ] }],
  },
  {
    id: "root-console", title: "Root console sign-in", refs: ["CIS 4.3", "CloudWatch.1"], severity: "critical",
    any: [{ all: [{ param: "eventName", fun: "eq", value: "ConsoleLogin" }, { param: "userIdentity.type", fun: "eq", value: "Root" }] }],
  },
];

/** AWS #8 / CIS 4.6: counted per account, alerting at 3 within 5 minutes. */
export const SIGNIN_FAILURE_RULE = { id: "console-failures", title: "Console sign-in failures", refs: ["AWS #8 ConsoleSignInFailures", "CIS 4.6", "CloudWatch.6"], threshold: 3, windowSec: 300 };

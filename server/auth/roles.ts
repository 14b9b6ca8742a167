/** Operator roles, from most to least powerful. */
export const ROLES = ["admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do. Routes ask for a permission, never for a role name. */
export const PERMISSIONS = {
  "process:read": ["admin", "editor", "viewer"],
  "process:write": ["admin", "editor"],
  "task:read": ["admin", "editor", "viewer"],
  "task:write": ["admin", "editor"],
  "user:manage": ["admin"],
  "apiuser:manage": ["admin"],
  "secret:manage": ["admin"],
  "audit:read": ["admin"],
  "source:manage": ["admin"],
  /** Dashboards and the built-in overview: everyone reads, editors compose. */
  "dashboard:read": ["admin", "editor", "viewer"],
  "dashboard:write": ["admin", "editor"],
  /** How long each process keeps its finished tasks. */
  "retention:manage": ["admin"],
  /** /api/metrics with a session (scrapers use METRICS_TOKEN). */
  "metrics:read": ["admin"],
  /** Channel names and types, secrets never (editors pick channels for notify blocks). */
  "channel:read": ["admin", "editor"],
  /** Create, change, delete and test channels; see their secrets masked. */
  "channel:manage": ["admin"],
  /** The delivery log (rendered messages, attempts, errors). */
  "alert:read": ["admin", "editor", "viewer"],
  "alert:resend": ["admin", "editor"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/**
 * Each permission as what it lets one do, for "your role (viewer) may not …".
 * A Record over every permission: a new one does not compile without its phrase.
 */
const PERMISSION_PHRASES: Record<Permission, string> = {
  "process:read": "read processes",
  "process:write": "change processes",
  "task:read": "read tasks",
  "task:write": "create or change tasks",
  "user:manage": "manage users",
  "apiuser:manage": "manage API users",
  "secret:manage": "manage secrets",
  "audit:read": "read the audit log",
  "source:manage": "manage ingestion sources",
  "dashboard:read": "read dashboards",
  "dashboard:write": "change dashboards",
  "retention:manage": "manage task retention",
  "metrics:read": "read metrics",
  "channel:read": "read alert channels",
  "channel:manage": "manage alert channels",
  "alert:read": "read the delivery log",
  "alert:resend": "resend alerts",
};

/** What a permission lets one do, in words: `user:manage` → "manage users". */
export function describePermission(permission: Permission): string {
  return PERMISSION_PHRASES[permission];
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: string | null | undefined, permission: Permission): boolean {
  return isRole(role) && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

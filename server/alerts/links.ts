/**
 * Where an alert sends the operator: the task's process with the task
 * selected. One place, so the link in Slack, Teams, Telegram, SMS, e-mail,
 * the webhook body and the delivery log page stay the same.
 */
export function taskUrl(appUrl: string, processId: number, taskId: string): string {
  return `${appUrl.replace(/\/+$/, "")}${taskPath(processId, taskId)}`;
}

export function taskPath(processId: number, taskId: string): string {
  return `/processes/${processId}?task=${encodeURIComponent(taskId)}`;
}

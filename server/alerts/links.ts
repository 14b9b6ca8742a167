/**
 * Where an alert sends the operator: the task's process in the editor's live
 * view, with the task named (`task=`) for the live view to open. One place,
 * so the link in Slack, Teams, Telegram, SMS, e-mail, the webhook body and
 * the delivery log page stay the same.
 */
export function taskUrl(appUrl: string, processId: number, taskId: string): string {
  return `${appUrl.replace(/\/+$/, "")}${taskPath(processId, taskId)}`;
}

export function taskPath(processId: number, taskId: string): string {
  return `/processes/${processId}?view=live&task=${encodeURIComponent(taskId)}`;
}

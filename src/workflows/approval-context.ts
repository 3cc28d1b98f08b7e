// Approval context in the Temporal UI, and the worker's check of a signed approval link.
//
// The workflow's current details (user metadata, served by the SDK's metadata query, so it is no
// command and needs no patch) list every pending request with the person, rule, approvers and
// times (src/domain/approval-context.ts), and are cleared when nothing waits.
import { log, patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import { approvalDetails } from '../domain/approval-context';
import type { ApprovalPolicy, ApprovalRequest, Decision } from '../domain/approvals';
import { NOTIFY_TASK_QUEUE } from './definitions';
import { PATCHES } from './patches';

let shown = '';

/** Keeps the UI's current details equal to what is pending now. */
export function publishApprovalDetails(
  requests: readonly ApprovalRequest[],
  policies: Record<string, ApprovalPolicy>,
): void {
  const details = approvalDetails(requests, policies);
  if (details === shown) return;
  shown = details;
  setCurrentDetails(details);
}

const verify = proxyActivities<NotifyActivities>({
  taskQueue: NOTIFY_TASK_QUEUE,
  startToCloseTimeout: '10 seconds',
  // The person clicking waits for the answer: a few quick tries, then a refusal they can retry.
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
});

/**
 * Why a verified-link decision is refused (undefined: the worker confirmed the link's signature,
 * expiry and that it names this very person, app, request and approver).
 */
export async function linkRefusal(employeeId: string, d: Decision): Promise<string | undefined> {
  if (!patched(PATCHES.verifiedLinks)) return 'signed approval links are not supported by this run';
  try {
    const res = await verify.verifyApprovalLink({
      token: d.proof ?? '',
      employeeId,
      app: d.app,
      requestId: d.requestId ?? '',
      approver: d.approver,
    });
    return res.ok ? undefined : `approval link refused: ${res.reason}`;
  } catch (err) {
    log.warn('approval link could not be checked', { error: err instanceof Error ? err.message : String(err) });
    return 'the approval link could not be checked just now; try again in a minute';
  }
}

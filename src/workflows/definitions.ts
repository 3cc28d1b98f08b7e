// Signals, queries and shared types of the lifecycle workflows. Safe to import from clients
// (ingress, CLI) as well as from workflow code: it only defines names and shapes.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Employee, HrEvent } from '../shared/hr-event';

export const MAIN_TASK_QUEUE = 'scimflow';
/** Each downstream app's activities run on their own queue so its rate limit holds across all workers. */
export function appTaskQueue(app: string): string {
  return `scim-${app}`;
}

export const hrEventSignal = defineSignal<[HrEvent]>('hrEvent');
export const stateQuery = defineQuery<IdentityState>('state');

export type LifecycleStage = 'new' | 'joining' | 'active' | 'moving' | 'leaving' | 'left' | 'failed';

export interface AppLink {
  app: string;
  /** The downstream SCIM id once known. */
  scimId?: string;
  userName?: string;
  status: 'pending' | 'awaiting-approval' | 'active' | 'inactive' | 'deleted' | 'failed' | 'compensated';
  /** Did scimflow create the account (versus adopting an existing one)? Compensation only touches what it created. */
  createdByUs?: boolean;
  lastError?: string;
  attempts?: number;
}

export interface ProcessedEvent {
  id: string;
  type: HrEvent['type'];
  effectiveAt?: string;
  outcome: 'done' | 'duplicate' | 'failed' | 'cancelled' | 'ignored';
  detail?: string;
}

export interface IdentityState {
  employeeId: string;
  employee?: Employee;
  stage: LifecycleStage;
  apps: Record<string, AppLink>;
  events: ProcessedEvent[];
  /** Events accepted but not yet run (e.g. a future-dated termination). */
  pending: { id: string; type: HrEvent['type']; effectiveAt?: string }[];
}

export interface IdentityWorkflowInput {
  employeeId: string;
  /** Carried across continue-as-new. */
  state?: IdentityState;
  seenEventIds?: string[];
  queue?: HrEvent[];
}

export interface JoinerInput {
  employee: Employee;
  eventId: string;
}

export interface JoinerResult {
  apps: Record<string, AppLink>;
  ok: boolean;
}

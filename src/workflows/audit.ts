// The controller's side of the audit trail (src/domain/audit.ts): the operator commands' schemas
// and one function per kind of entry, so the controller calls one line where it acts. Recording
// changes only the carried state: it issues no command, so old histories replay unchanged.
import { appendAudit, claimedFields, decisionVia, type AuditVia, type NewAuditEntry } from '../domain/audit';
import type { Decision } from '../domain/approvals';
import { nowIso } from './clock';
import { OpsCommand, RefreshCommand } from './message-schemas';
import type { AppView, ControllerState } from './definitions';

export { OpsCommand, RefreshCommand };

export function audit(state: ControllerState, entry: Omit<NewAuditEntry, 'at'>): void {
  state.audit = appendAudit(state.audit, { at: nowIso(), ...entry });
}

/** A decision that was taken (`path`: the Update or the signal it came on). */
export function auditDecision(state: ControllerState, d: Decision, path: 'update' | 'signal', requestId: string): void {
  audit(state, {
    action: d.decision,
    outcome: 'applied',
    by: d.approver,
    via: decisionVia(d.via, path),
    ...(d.verified !== undefined ? { verified: d.verified } : {}),
    ...(d.comment ? { reason: d.comment } : {}),
    app: d.app,
    requestId,
  });
}

/** A decision refused (invalid payload, nothing pending, not an approver, already decided): recorded with what it claimed. */
export function auditRefusedDecision(
  state: ControllerState,
  raw: unknown,
  path: 'update' | 'signal',
  refusal: string,
): void {
  const c = claimedFields(raw);
  audit(state, {
    action: c.action ?? 'decision',
    outcome: 'refused',
    by: c.by ?? 'unknown',
    via: decisionVia(c.via, path),
    ...(c.verified !== undefined ? { verified: c.verified } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.app ? { app: c.app } : {}),
    ...(c.requestId ? { requestId: c.requestId } : {}),
    refusal,
  });
}

/** A `retry`, `skip` or `refresh` whose payload did not parse. */
export function auditRefusedCommand(
  state: ControllerState,
  action: 'retry' | 'skip' | 'refresh',
  raw: unknown,
  refusal: string,
): void {
  const c = claimedFields(raw);
  audit(state, {
    action,
    outcome: 'refused',
    by: c.by ?? 'unknown',
    via: c.via ?? 'signal',
    ...(c.app ? { app: c.app } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    refusal,
  });
}

/** What an operator command acts on in one app, before it acts. */
export function problemOf(view: AppView | undefined): string | undefined {
  if (!view) return undefined;
  if (view.conflict) return 'conflict';
  if (view.failure) return view.failure.needsPerson ? 'needs-attention' : 'failing';
  if (view.problem && view.granted) return 'invalid';
  return undefined;
}

/** One entry per app a `retry` / `skip` acted on (a retry that clears an identity conflict resolves it), or one `no-op`. */
export function auditOps(
  state: ControllerState,
  kind: 'retry' | 'skip',
  cmd: OpsCommand,
  acted: { app: string; problem: string | undefined }[],
): void {
  const base = {
    by: cmd.by ?? 'unknown',
    via: (cmd.via ?? 'signal') as AuditVia,
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  };
  if (acted.length === 0) {
    audit(state, { ...base, action: kind, outcome: 'no-op', ...(cmd.app ? { app: cmd.app } : {}) });
    return;
  }
  for (const a of acted) {
    audit(state, {
      ...base,
      action: kind === 'retry' && a.problem === 'conflict' ? 'resolve-conflict' : kind,
      outcome: 'applied',
      app: a.app,
      ...(a.problem ? { problem: a.problem } : {}),
    });
  }
}

export function auditRefresh(state: ControllerState, cmd: RefreshCommand): void {
  audit(state, {
    action: 'refresh',
    outcome: 'applied',
    by: cmd.by ?? 'unknown',
    via: cmd.via ?? 'signal',
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  });
}

// ScimflowConfig → PublicConfig: the secret-free half the worker plans with. Pure.
import type { AppConfig, PublicAppConfig, PublicConfig, ScimflowConfig } from './types';

function publicApp(app: AppConfig): PublicAppConfig {
  // Built field by field (not by deleting from a copy) so a new credential field can never leak by default.
  const out: PublicAppConfig = {
    name: app.name,
    kind: app.kind,
    baseUrl: app.baseUrl,
    rateLimit: { ...app.rateLimit },
    capabilities: structuredCloneJson(app.capabilities),
    attributes: structuredCloneJson(app.attributes),
    seatConsuming: app.seatConsuming,
    approval: { ...app.approval, approvers: [...app.approval.approvers], escalateTo: [...app.approval.escalateTo] },
    leaver: { ...app.leaver },
  };
  if (app.directoryId !== undefined) out.directoryId = app.directoryId;
  if (app.jsm) out.jsm = { baseUrl: app.jsm.baseUrl, serviceDeskId: app.jsm.serviceDeskId };
  return out;
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The secret-free view of a config: no auth, no secret references, no temporal/ingress settings. */
export function toPublicConfig(config: ScimflowConfig): PublicConfig {
  const apps: Record<string, PublicAppConfig> = {};
  for (const name of Object.keys(config.apps).sort()) apps[name] = publicApp(config.apps[name]!);
  return {
    apps,
    rules: structuredCloneJson(config.rules),
    joiner: { allOrNothing: [...config.joiner.allOrNothing] },
  };
}

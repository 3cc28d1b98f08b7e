/**
 * The suites that are not about the mass-change guard share one small sandbox in which a handful of
 * leavers is already "most of the app": the guard lets everything through for them. The guard's own
 * tests remove this line (`withDefaultGuard`) and run with the defaults.
 */
export const PERMISSIVE_GUARD = 'guard: { window: 1s, maxFraction: 1, maxCount: 100000 }\n';
export const withDefaultGuard = (yaml: string): string => yaml.replace(PERMISSIVE_GUARD, '');

// The configuration the workflow suites run with: the sandbox apps, short approval and retention
// periods (the Temporal dev server has no time skipping, so real seconds are used).
export const LIFECYCLE_CONFIG = `
temporal: { address: localhost:7233, namespace: default, taskQueue: scimflow }
ingress:
  host: 127.0.0.1
  port: 8080
  webhookSecret: "\${SCIMFLOW_WEBHOOK_SECRET}"
apps:
  generic:
    kind: generic
    baseUrl: "{{SANDBOX}}/generic/scim/v2"
    auth: { type: bearer, token: "\${SCIMFLOW_GENERIC_TOKEN}" }
    rateLimit: { requestsPerSecond: 500 }
  jasper:
    kind: jasper
    baseUrl: "{{SANDBOX}}/jasper/scim/v2"
    auth: { type: bearer, token: "\${SCIMFLOW_JASPER_TOKEN}" }
    rateLimit: { requestsPerSecond: 500 }
  jumpcloud:
    kind: jumpcloud
    baseUrl: "{{SANDBOX}}/jumpcloud/scim/v2"
    auth: { type: apiKey, header: x-api-key, key: "\${SCIMFLOW_JUMPCLOUD_TOKEN}" }
    rateLimit: { requestsPerSecond: 500 }
rules:
  birthright:
    - name: everyone
      when: {}
      grant:
        - app: generic
          groups: [all-staff]
        - app: jumpcloud
    - name: engineering
      when: { department: Engineering }
      grant:
        - app: jasper
        - app: generic
          groups: [engineering]
    - name: sales
      when: { department: Sales }
      grant:
        - app: generic
          groups: [sales]
    - name: marketing
      when: { department: Marketing }
      grant:
        - app: generic
          groups: [marketing]
approvals:
  jasper:
    required: true
    approvers: [lead@example.com]
    timeout: 60s
    onTimeout: reject
leaver:
  default: { deactivate: true, removeGroups: true, hardDelete: never }
  apps:
    generic:
      hardDelete: { after: 6s }
joiner:
  allOrNothing: [generic, jasper]
guard: { window: 1s, maxFraction: 1, maxCount: 100000 }
`;

// The time-skipping suite's configuration: the same apps and rules, with days-long approval and
// retention periods, and Jostle as a second paid seat whose approval simply expires.
export const DAYS_CONFIG = LIFECYCLE_CONFIG.replace(
  '  jumpcloud:\n    kind: jumpcloud\n',
  '  jostle:\n    kind: jostle\n    baseUrl: "{{SANDBOX}}/jostle/scim/v2"\n    auth: { type: bearer, token: "${SCIMFLOW_JOSTLE_TOKEN}" }\n    rateLimit: { requestsPerSecond: 500 }\n  jumpcloud:\n    kind: jumpcloud\n',
)
  .replace(
    '    - name: marketing\n',
    '    - name: support\n      when: { department: Support }\n      grant:\n        - app: jostle\n    - name: marketing\n',
  )
  .replace(
    'approvers: [lead@example.com]\n    timeout: 60s\n    onTimeout: reject\n',
    'approvers: [lead@example.com]\n    timeout: 3d\n    onTimeout: escalate\n    escalateTo: [cto@example.com]\n  jostle:\n    required: true\n    approvers: [lead@example.com]\n    timeout: 2d\n    onTimeout: reject\n',
  )
  .replace('    generic:\n      hardDelete: { after: 6s }\n', '    generic:\n      hardDelete: { after: 30d }\n')
  .replace('allOrNothing: [generic, jasper]', 'allOrNothing: [generic, jasper, jostle]');

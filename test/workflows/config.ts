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
`;

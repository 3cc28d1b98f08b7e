// Fixed development credentials (documented in docs/sandbox.md). Not secrets: the sandbox
// listens on loopback and holds fake data.

export interface SandboxCredentials {
  /** generic: `Authorization: Bearer <genericToken>` */
  genericToken: string;
  /** jasper: `Authorization: Bearer <jasperToken>` */
  jasperToken: string;
  /** jumpcloud: `x-api-key: <jumpcloudApiKey>` */
  jumpcloudApiKey: string;
  /** atlassian SCIM: `Authorization: Bearer <atlassianToken>` at /atlassian/scim/directory/<atlassianDirectoryId> */
  atlassianToken: string;
  atlassianDirectoryId: string;
  /** atlassian REST: HTTP Basic `<atlassianRestEmail>:<atlassianRestApiToken>` */
  atlassianRestEmail: string;
  atlassianRestApiToken: string;
  /** jostle: `Authorization: Bearer <jostleToken>` */
  jostleToken: string;
}

export const DEV_CREDENTIALS: Readonly<SandboxCredentials> = {
  genericToken: 'dev-token',
  jasperToken: 'dev-jasper-token',
  jumpcloudApiKey: 'dev-jumpcloud-key',
  atlassianToken: 'dev-atlassian-token',
  atlassianDirectoryId: 'dev-directory',
  atlassianRestEmail: 'admin@example.com',
  atlassianRestApiToken: 'dev-atlassian-api-token',
  jostleToken: 'dev-jostle-token',
};

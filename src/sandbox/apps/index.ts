import { atlassianApp } from './atlassian';
import { genericApp } from './generic';
import { jasperApp } from './jasper';
import { jostleApp } from './jostle';
import { jumpcloudApp } from './jumpcloud';
import type { SandboxAppName, SandboxAppSpec } from './spec';

export const APP_SPECS: Readonly<Record<SandboxAppName, SandboxAppSpec>> = {
  generic: genericApp,
  jasper: jasperApp,
  jumpcloud: jumpcloudApp,
  atlassian: atlassianApp,
  jostle: jostleApp,
};

export * from './spec';

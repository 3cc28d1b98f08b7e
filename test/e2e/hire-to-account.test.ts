// The walking skeleton end to end: a signed HR webhook over HTTP → the ingress → Temporal
// (signal-with-start) → the joiner → the account in the sandbox app, read back over SCIM HTTP.
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { request } from 'undici';
import { buildIngress } from '../../src/ingress/server';
import { sign } from '../../src/ingress/signature';
import { temporalDispatcher } from '../../src/ingress/temporal-dispatcher';
import { employee, startStack, TEST_ENV, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/temporal';
import { LIFECYCLE_CONFIG } from '../workflows/config';

let stack: Stack;
let ingress: ReturnType<typeof buildIngress>;
let base = '';
beforeAll(async () => {
  stack = await startStack(LIFECYCLE_CONFIG);
  ingress = buildIngress({ dispatcher: temporalDispatcher(stack.client), secrets: [TEST_ENV.SCIMFLOW_WEBHOOK_SECRET] });
  await ingress.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ingress.server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await ingress?.close();
  await stack?.close();
});

async function post(body: string, signed: boolean) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signed)
    headers['x-scimflow-signature'] = sign(TEST_ENV.SCIMFLOW_WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000));
  const res = await request(`${base}/webhooks/hr`, { method: 'POST', body, headers });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

async function findUser(userName: string) {
  const res = await request(
    `${stack.sandbox.url}/generic/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
    {
      headers: { authorization: 'Bearer dev-token' },
    },
  );
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as {
    totalResults: number;
    Resources: { userName: string; active: boolean; name: { givenName: string } }[];
  };
}

describe('signed hire → account', () => {
  it('makes the account appear in the sandbox app within seconds', async () => {
    const emp = employee({ givenName: 'Grace', familyName: 'Hopper' });
    const started = Date.now();
    const res = await post(JSON.stringify({ id: `evt-${emp.employeeId}`, type: 'hire', employee: emp }), true);
    expect(res).toEqual({ status: 202, json: { workflowId: `identity-${emp.employeeId}` } });
    const list = await waitFor(
      async () => {
        const l = await findUser(emp.email);
        return l.totalResults === 1 ? l : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'account in the sandbox' },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(list.Resources[0]).toMatchObject({ userName: emp.email, active: true, name: { givenName: 'Grace' } });
  });

  it('refuses an unsigned hire with 401 and creates nothing', async () => {
    const emp = employee();
    const res = await post(JSON.stringify({ id: `evt-${emp.employeeId}`, type: 'hire', employee: emp }), false);
    expect(res.status).toBe(401);
    await expect(stack.client.workflow.getHandle(`identity-${emp.employeeId}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect((await findUser(emp.email)).totalResults).toBe(0);
  });
});

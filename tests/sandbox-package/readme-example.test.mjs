import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox } from 'repair-claims-sandbox';

let sandbox;
before(async () => { sandbox = await startSandbox({ port: 0 }); }); // a free port per file
after(() => sandbox.close());

test('a retried read survives a 503', async () => {
  await sandbox.injectFault({ route: '/printbrandlist', status: 503, retryAfter: 1, times: 1 });
  const brands = () => fetch(`${sandbox.urls.ecologicProduction}/printbrandlist`, {
    headers: { api_key: sandbox.credentials.ecologicApiKeys[0] },
  });
  assert.equal((await brands()).status, 503);
  assert.equal((await brands()).status, 200);
  assert.equal((await sandbox.requests()).length, 2);
});

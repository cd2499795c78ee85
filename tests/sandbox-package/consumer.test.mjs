// A user's test file, run with node:test in a fresh project: startSandbox() from the package.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startSandbox } from 'repair-claims-sandbox';

const one = await startSandbox({ port: 0 });
const two = await startSandbox({ port: 0, seed: 7 });
after(() => Promise.all([one.close(), two.close()]));

const token = (sandbox) => fetch(`${sandbox.urls.laluxToken}/token`, {
  method: 'POST',
  headers: {
    authorization: `${sandbox.credentials.lalux.repairerClientId}/${sandbox.credentials.lalux.repairerClientSecret}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials&scope=%2Freparateur',
});

test('two sandboxes side by side, each on its own free port with its own state', async () => {
  assert.notEqual(one.url, two.url);
  assert.match(one.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(one.urls.ecologicProduction, `${one.url}/ecologic/api/v1/ecosupport`);
  assert.match(one.banner, new RegExp(`SANDBOX_URL=${one.url}$`));
  const [a, b] = await Promise.all([token(one).then((r) => r.json()), token(two).then((r) => r.json())]);
  assert.notEqual(a.access_token, b.access_token, 'seeds differ');
  assert.equal((await one.requests()).length, 1);
  assert.equal((await two.requests()).length, 1);
});

test('faults, clock, scanner and token lifetime through the handle', async () => {
  await one.reset();
  assert.deepEqual(await one.requests(), []);
  for (let i = 0; i < 1003; i++) await fetch(`${one.urls.ecologicProduction}/printbrandlist`);
  assert.equal((await one.requests()).length, 1000, 'the log keeps the latest 1,000');
  assert.equal(await one.requestsDropped(), 3);
  await one.reset();
  assert.equal(await one.requestsDropped(), 0);
  await one.injectFault({ route: '/token', status: 503, retryAfter: 1, times: 1 });
  assert.equal((await token(one)).status, 503);
  assert.equal((await token(one)).status, 200);
  await one.injectFault({ route: '/token', status: 502 });
  await one.clearFaults();
  assert.equal((await token(one)).status, 200);
  await one.setTokenLifetime(61);
  const short = await (await token(one)).json();
  assert.equal(short.expires_in, 61);
  assert.deepEqual(await one.advanceClock(120), { offsetSeconds: 120 });
  const upload = (accessToken) => fetch(`${one.urls.laluxApi}/reparateur/upload`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fileNameWithExtension: 'f.pdf', file: btoa('%PDF') }),
  });
  assert.equal((await upload(short.access_token)).status, 401, 'expired by the clock');
  await one.setScanner(true);
  const { access_token: accessToken } = await (await token(one)).json();
  assert.deepEqual(await (await upload(accessToken)).json(), { status: 'Error' });
  await one.setScanner(false);
  assert.equal((await (await upload(accessToken)).json()).status, 'Verified');
  await assert.rejects(one.injectFault({ route: '/x', bogus: 1 }), /400/);
});

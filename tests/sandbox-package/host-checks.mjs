// One suite for every host of the sandbox (the Rust binary, node:http, the Service Worker): fault
// injection, clock, scanner, token lifetime and the body limit, run over HTTP from Node or from
// a page. It throws on the first difference from what the core promises and returns a transcript
// of what it observed, which must be the same whatever the host.
const KEY = 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B';
const REPAIRER = 'sandbox-repairer/sandbox-repairer-secret';
const ECO = '/ecologic/api/v1/ecosupport';

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export async function hostChecks(base) {
  const transcript = [];
  const note = (line) => transcript.push(line);
  const admin = async (method, route, body) => {
    const response = await fetch(`${base}/_sandbox${route}`, {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.ok, `admin ${method} ${route}: ${response.status}`);
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  };
  const token = async () => {
    const response = await fetch(`${base}/lalux/wts/token`, {
      method: 'POST',
      headers: { authorization: REPAIRER, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=%2Freparateur',
    });
    expect(response.status === 200, `token: ${response.status}`);
    return response.json();
  };
  const upload = (accessToken, text) => fetch(`${base}/lalux/api/reparateur/upload`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fileNameWithExtension: 'f.pdf', file: btoa(text) }),
  });
  const brands = () => fetch(`${base}${ECO}/printbrandlist`, { headers: { api_key: KEY } });

  await admin('POST', '/reset');
  await admin('POST', '/tokens', { lifetimeSeconds: 61 });
  const short = await token();
  note(`token lifetime: expires_in ${short.expires_in}`);
  expect(short.expires_in === 61, 'a token lasts the lifetime set');
  const fresh = await upload(short.access_token, '%PDF');
  note(`upload with a fresh token: ${fresh.status} ${(await fresh.json()).status}`);
  await admin('POST', '/clock', { advanceSeconds: 120 });
  const expired = await upload(short.access_token, '%PDF');
  note(`upload after the clock moved past expiry: ${expired.status}`);
  expect(expired.status === 401, 'an expired token is refused');

  const { access_token: accessToken } = await token();
  await admin('POST', '/scanner', { fail: true });
  const failing = await upload(accessToken, '%PDF');
  note(`upload with the scanner failing: ${failing.status} ${(await failing.json()).status}`);
  expect(failing.status === 500, 'a failing scanner answers 500');
  await admin('POST', '/scanner', { fail: false });
  const infected = await upload(accessToken, 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
  note(`upload of EICAR: ${infected.status} ${(await infected.json()).status}`);

  await admin('POST', '/faults', { route: '/printbrandlist', status: 503, retryAfter: 2, times: 1 });
  const unavailable = await brands();
  note(`fault 503: ${unavailable.status}, Retry-After ${unavailable.headers.get('retry-after')}`);
  expect(unavailable.status === 503, 'the forced status is answered');
  const after = await brands();
  note(`after the fault: ${after.status} ${(await after.json()).ResponseStatus}`);

  await admin('POST', '/faults', { route: '/printbrandlist', status: 500, envelope: 'Invalid claim', times: 1 });
  const envelope = await brands();
  note(`500 envelope: ${envelope.status} ${(await envelope.json()).ResponseErrorMessage}`);

  await admin('POST', '/faults', { route: '/printbrandlist', nonJson: true, times: 1 });
  const nonJson = await brands();
  const nonJsonText = await nonJson.text();
  let parsed = true;
  try { JSON.parse(nonJsonText); } catch { parsed = false; }
  note(`non-JSON fault: ${nonJson.status}, parses as JSON: ${parsed}`);
  expect(!parsed, 'the body is not JSON');

  await admin('POST', '/faults', { route: '/printbrandlist', drop: true, times: 1 });
  const dropped = await brands().then(() => 'answered', (e) => e.name);
  note(`dropped connection: ${dropped}`);
  expect(dropped === 'TypeError', 'fetch fails');

  await admin('POST', '/faults', { route: '/printbrandlist', truncate: true, times: 1 });
  const truncated = await brands().then((r) => r.text()).then(() => 'read whole', (e) => e.name);
  note(`truncated body: ${truncated}`);
  expect(truncated === 'TypeError', 'reading the body fails');

  await admin('POST', '/faults', { route: '/printbrandlist', redirect: 'http://127.0.0.1:9/elsewhere?q=1', times: 1 });
  const redirected = await fetch(`${base}${ECO}/printbrandlist`, { headers: { api_key: KEY }, redirect: 'manual' });
  const redirects = redirected.type === 'opaqueredirect'
    || (redirected.status === 307 && redirected.headers.get('location') === 'http://127.0.0.1:9/elsewhere?q=1');
  note(`redirect fault: redirects ${redirects}`);
  expect(redirects, `a 307 to the URL given: ${redirected.status}`);
  await admin('POST', '/faults', { route: '/printbrandlist', oversize: 9 * 1024 * 1024, times: 1 });
  const oversized = await (await brands()).arrayBuffer();
  note(`oversize fault: ${oversized.byteLength} bytes`);
  expect(oversized.byteLength === 9 * 1024 * 1024, 'the body has the size asked');

  // The admin API's own limits: a final HTTP status, a bounded route, at most 100 faults.
  const addFault = async (fault) => (await fetch(`${base}/_sandbox/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
  })).status;
  const refusedFaults = [
    await addFault({ route: '/x', status: 700 }), await addFault({ route: '/x', status: 99 }),
    await addFault({ route: 'x'.repeat(1 << 20) }), await addFault({ route: '/x', oversize: 1 << 30 }),
  ];
  note(`faults with status 700, 99, a 1 MiB route, a 1 GiB body: ${refusedFaults.join(' ')}`);
  expect(refusedFaults.every((status) => status === 400), 'refused with 400');
  const added = [];
  for (let i = 0; i < 101; i++) added.push(await addFault({ route: `/none-${i}`, times: 1 }));
  note(`101 faults: the 100th ${added[99]}, the 101st ${added[100]}`);
  expect(added.slice(0, 100).every((status) => status === 204) && added[100] === 409, 'at most 100 faults');
  await admin('DELETE', '/faults');

  // A request-target that starts with `//` is a path: 404, and never the admin API.
  const logged = (await admin('GET', '/requests')).length;
  const slashes = await fetch(`${base}//`).then((r) => r.status, (e) => e.name);
  const reset = await fetch(`${base}//anything/_sandbox/reset`, { method: 'POST' }).then((r) => r.status, (e) => e.name);
  const kept = (await admin('GET', '/requests')).length;
  note(`GET //: ${slashes}; POST //anything/_sandbox/reset: ${reset}, the log kept: ${kept > logged}`);
  expect(slashes === 404 && reset === 404 && kept > logged, 'paths, not hosts');

  await admin('POST', '/faults', { route: '/printbrandlist', latencyMs: 300, times: 1 });
  const started = Date.now();
  const slow = await brands();
  const waited = Date.now() - started;
  note(`latency fault: ${slow.status}, waited at least 300 ms: ${waited >= 290}`);
  expect(waited >= 290, `waited ${waited} ms`);
  await admin('DELETE', '/faults');

  const big = new Uint8Array(16 * 1024 * 1024 + 1).fill(32);
  const tooLarge = await fetch(`${base}/lalux/api/reparateur/upload`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: big })
    .then((r) => r.status, (e) => `${e.name}`);
  note(`body over 16 MiB: ${tooLarge}`);
  expect(tooLarge === 413, 'refused with 413');

  const log = await admin('GET', '/requests');
  note(`requests logged since the reset: ${log.length}; the last: ${log.at(-1).method} ${log.at(-1).path}`);
  return transcript;
}

// Issue 12's fault matrix (scripts/fault-matrix.mjs): every class of operation against every
// fault. Whatever the outcome, no write is processed twice, every upload key the server returned
// reaches the caller, no error carries a secret, and every failure is a typed error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultMatrix, sandboxAt, table } from '../../scripts/fault-matrix.mjs';
import { SANDBOX, pkg } from './helpers.mjs';

test('the fault matrix keeps its invariants in every cell', { timeout: 300_000 }, async () => {
  const rows = await faultMatrix({ pkg, sandbox: sandboxAt(SANDBOX) });
  assert.ok(rows.length >= 100, `${rows.length} cells`);
  const broken = rows.filter((r) => r.duplicates !== 0 || r.surfacedKeys !== r.returnedKeys || r.secretLeaked
    || !/^(ok|network|timeout|unexpectedResponse|refused|authentication)$/.test(r.outcome));
  assert.deepEqual(broken, [], table(broken));
  for (const r of rows.filter((row) => row.fault === 'redirect to another origin')) {
    assert.equal(r.attempts, 1, `${r.class}: one attempt, the redirect not followed`);
  }
  // Reads and uploads get past a single transient fault (retried); a 500, a body that is not
  // JSON, an envelope refusal, a closed port, a redirect to another origin (never followed) and
  // a reply over the size limit are not transient. Writes are never re-sent, except when they
  // certainly never left.
  const final = ['refused (never sent)', '500', 'non-JSON body', '500 envelope (Ecologic)', 'redirect to another origin', 'oversized reply (9 MiB)'];
  for (const r of rows.filter((row) => ['Ecologic read', 'LALUX upload'].includes(row.class) && !final.includes(row.fault))) {
    assert.equal(r.outcome, 'ok', `${r.class} after ${r.fault}`);
  }
  for (const r of rows.filter((row) => row.class === 'Ecologic write' || row.class === 'LALUX settlement')) {
    // Refused: the write never left (or a referential read before it failed first).
    if (r.fault === 'refused (never sent)') assert.notEqual(r.mayHaveReachedServer, true, r.fault);
    else if (r.outcome !== 'ok' && r.outcome !== 'refused') assert.equal(r.mayHaveReachedServer, true, `${r.class} after ${r.fault}`);
  }
});

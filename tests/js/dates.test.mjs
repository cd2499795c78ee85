// R4 and issue 13: a repair date is a French calendar day, whatever the time zone of the machine
// running the client. Each zone runs `dates-probe.mjs` in a Node process of its own (TZ is read
// once per process) against the same sandbox, and every zone must send and decide the same.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import './helpers.mjs'; // the sandbox the probes talk to (SANDBOX_URL, inherited)

const probe = fileURLToPath(new URL('./dates-probe.mjs', import.meta.url));

/** What every zone must give: the wire value sent, or the field refused before sending. */
const EXPECTED = {
  // A date picker's value (local midnight) for a product eligible from 2022-12-15.
  pickerDay: { sent: '2022-12-15T00:00:00' },
  // The two refusals, now accepted: an offset time on the first eligible day.
  offsetTime: { sent: '2022-12-15T00:30:00' },
  // 00:30 on 2 May 2024 in Paris, as an instant: never 2024-05-01T22:30:00Z.
  instant: { sent: '2024-05-02T00:30:00' },
  dayOnly: { sent: '2024-05-02T00:00:00' },
  localTime: { sent: '2024-05-02T00:30:00' },
  // The day before eligibility, in every form.
  dayBefore: { refused: 'Product.ProductId', day: '2022-12-14' },
  instantBefore: { refused: 'Product.ProductId', day: '2022-12-14' },
  // LALUX invoice dates: a picker's day, and an instant read as its Luxembourg (Paris) day.
  laluxPicker: { sent: '2024-03-01' },
  laluxInstant: { sent: '2024-03-01' },
};

for (const zone of ['UTC', 'Europe/Paris', 'America/Los_Angeles', 'Asia/Tokyo']) {
  test(`dates keep their French day with TZ=${zone}`, async () => {
    // Asynchronously: the sandbox may run in this process (startSandbox) and must keep answering.
    const { stdout: output } = await promisify(execFile)(process.execPath, [probe], { env: { ...process.env, TZ: zone }, encoding: 'utf8' });
    const result = JSON.parse(output);
    assert.equal(result.zone, zone);
    assert.deepEqual(result.cases, EXPECTED);
  });
}

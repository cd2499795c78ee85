// The demo portal (examples/portal) driven in Chromium as a repair-shop employee would: both
// forms, an infected invoice, a field error, a claim missing a file, then a submitted claim.
// Screenshots go to screenshots/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
const pdf = (name, buffer = PDF) => ({ name, mimeType: 'application/pdf', buffer });

/**
 * Runs the portal's checks, named `label`, against `sandbox` (a URL, or `worker`: the npm sandbox
 * in a Service Worker, from `sandboxDir`). With `compareHostsWith` (a sandbox URL), also runs
 * tests/sandbox-package/host-checks.mjs in the page (through the worker) and against that sandbox
 * from Node: both transcripts must be the same.
 */
export async function portalChecks({ browser, root, packageDir, sandboxDir, sandbox, check, label = 'portal', compareHostsWith }) {
  const { serve } = await import(join(root, 'examples', 'portal', 'serve.mjs'));
  const portal = await serve({ packageDir, sandboxDir });
  const shots = join(root, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${portal.url}?sandbox=${encodeURIComponent(sandbox)}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const form = page.locator('#lalux');
    const text = (selector) => page.locator(selector).textContent();

    await check(`${label}, LALUX: the days field shows only for VHR; a wrong TTC is shown next to its field`, async () => {
      assert.equal(await page.locator('#days').isVisible(), false);
      await form.locator('[name=typeFacture]').selectOption('VHR');
      assert.equal(await page.locator('#days').isVisible(), true);
      for (const [name, value] of Object.entries({
        referenceFacture: 'F-2024-7', dateFacture: '2024-03-01', numeroSinistre: 'S-77', referenceInterneLalux: 'PEC-7',
        immatriculationVehicule: 'AB1234', numeroChassisVehicule: '1HGBH41JXMN109186', nbrJourVehiculeRemplacement: '2',
        factureHT: '1000', factureTVA: '170.50', factureTTC: '1170.49',
      })) await form.locator(`[name=${name}]`).fill(value);
      await form.locator('[name=invoicePdf]').setInputFiles(pdf('facture.pdf'));
      await form.locator('button[type=submit]').click();
      await page.waitForFunction(() => document.querySelector('#lalux-result').className === 'bad');
      const inline = await form.locator('[name=factureTTC] + .error').textContent();
      assert.equal(inline, 'doit valoir factureHT + factureTVA = 1170.50 au centime près (reçu 1170.49)', 'in French');
      await page.screenshot({ path: join(shots, 'lalux-field-error.png'), fullPage: true });
    });

    await check(`${label}, LALUX: a file over 5 242 880 bytes is FileTooBig and never sent`, async () => {
      await form.locator('[name=factureTTC]').fill('1170.50');
      await form.locator('[name=invoicePdf]').setInputFiles(pdf('big.pdf', Buffer.alloc(5_242_881)));
      await form.locator('button[type=submit]').click();
      await page.waitForFunction(() => /FileTooBig/.test(document.querySelector('#lalux-result').textContent));
      assert.equal(await form.locator('[name=invoicePdf] + .error').textContent(), 'fait 5 242 881 octets ; la limite est de 5 242 880 octets');
    });

    await check(`${label}, LALUX: an infected invoice is reported and nothing is submitted`, async () => {
      await form.locator('[name=factureTTC]').fill('1170.50');
      await form.locator('[name=invoicePdf]').setInputFiles(pdf('virus.pdf', EICAR));
      await form.locator('button[type=submit]').click();
      await page.waitForFunction(() => /Infected/.test(document.querySelector('#lalux-result').textContent));
      assert.match(await text('#lalux-result'), /Upload: Infected/);
      assert.equal(await form.locator('[name=factureTTC] + .error').textContent(), '');
      await page.screenshot({ path: join(shots, 'lalux-infected.png'), fullPage: true });
    });

    await check(`${label}, LALUX: a clean invoice is uploaded (Verified, key) and the settlement accepted (202)`, async () => {
      await form.locator('[name=invoicePdf]').setInputFiles(pdf('facture.pdf'));
      await form.locator('button[type=submit]').click();
      await page.waitForFunction(() => /202/.test(document.querySelector('#lalux-result').textContent));
      assert.match(await text('#lalux-result'), /Upload: Verified, key [0-9a-f-]{36}\.pdf\nLALUX accepted the settlement \(202\)/);
      await page.screenshot({ path: join(shots, 'lalux-accepted.png'), fullPage: true });
    });

    const eco = page.locator('#ecologic');
    await check(`${label}, Ecologic: brand and product picked from the referentials, symptom from the product, eco-support computed`, async () => {
      await page.waitForFunction(() => document.querySelectorAll('#products option').length > 0);
      await eco.locator('[name=brand]').fill('Acer (1689)');
      await eco.locator('[name=product]').fill('Cave à vin (EEE.M1.010)');
      await eco.locator('[name=product]').dispatchEvent('change');
      const symptoms = await eco.locator('[name=IRISSymptom] option').allTextContents();
      assert.ok(symptoms.some((s) => s.startsWith('XX12 — ')), symptoms.join(', '));
      await eco.locator('[name=IRISSymptom]').selectOption('XX4');
      await eco.locator('[name=IRISSection]').selectOption('G12');
      await page.locator('#calculate').click();
      await page.waitForFunction(() => document.querySelector('#support').textContent !== '');
      assert.equal(await text('#support'), 'Soutien : 25 € TTC');
    });

    await check(`${label}, Ecologic: request, claim with a missing file (remaining errors, progress), then a submitted claim`, async () => {
      for (const [name, value] of Object.entries({
        SerialNumber: `SN-${Date.now()}`, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris',
        Phone: '0601020304', QuoteNumber: 'DEV-77', ConsumerInvoiceNumber: 'FAC-77',
      })) await eco.locator(`[name=${name}]`).fill(value);
      await page.locator('#request').click();
      await page.waitForFunction(() => document.querySelector('#request-result').textContent !== '');
      assert.match(await text('#request-result'), /Demande de soutien \d+ : complète/);

      await eco.locator('[name=invoice]').setInputFiles(pdf('facture.pdf'));
      await page.locator('#claim').click();
      await page.waitForFunction(() => document.querySelector('#claim-result').textContent !== '');
      assert.match(await text('#claim-result'), /Dossier incomplet[\s\S]*pièces jointes/);
      assert.equal(await page.locator('#progress').evaluate((p) => p.value), 1);
      await page.screenshot({ path: join(shots, 'ecologic-incomplete.png'), fullPage: true });

      await page.locator('#claim-result').evaluate((o) => { o.textContent = ''; });
      await eco.locator('[name=proof]').setInputFiles(pdf('attestation.pdf'));
      await page.locator('#claim').click();
      await page.waitForFunction(() => document.querySelector('#claim-result').textContent !== '');
      assert.match(await text('#claim-result'), /^Demande de remboursement \d+ : Dossier complet$/);
      await page.locator('#submit').click();
      await page.waitForFunction(() => document.querySelector('#submit-result').textContent !== '');
      assert.match(await text('#submit-result'), /^Soumise \(\d+\)$/);
      await page.screenshot({ path: join(shots, 'ecologic-submitted.png'), fullPage: true });
      assert.deepEqual(errors, []);
    });
    if (compareHostsWith) {
      await check(`${label}: the Service Worker host gives the Rust binary's transcript (faults, clock, scanner, token lifetime, 413)`, async () => {
        const { hostChecks } = await import(join(root, 'tests', 'sandbox-package', 'host-checks.mjs'));
        const source = readFileSync(join(root, 'tests', 'sandbox-package', 'host-checks.mjs'), 'utf8');
        const inWorker = await page.evaluate(async ({ source, base }) => {
          const module = await import(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
          return module.hostChecks(base);
        }, { source, base: new URL('sandbox', portal.url).href });
        assert.deepEqual(inWorker, await hostChecks(compareHostsWith));
      });
    }
  } finally {
    await page.close();
    portal.close();
  }
}

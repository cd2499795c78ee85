// The demo portal (examples/portal) driven in Chromium as a repair-shop employee would, signed in
// to its back end (the gateway holds the garages' credentials): both forms, an infected invoice, a
// field error, a claim missing a file, then a submitted claim; a garage naming another garage's
// repair site sees the `forbidden` error. Every request and reply of the pages is recorded with
// their cookies and storage: no secret, api key or bearer token may appear in any of it.
// Screenshots go to screenshots/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
const pdf = (name, buffer = PDF) => ({ name, mimeType: 'application/pdf', buffer });
const SECRETS = ['sandbox-repairer-secret', 'sandbox-expert-secret', 'sandbox-expert-password', 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B'];
const TOKEN = /Bearer\s+\S{8,}|sbx-[0-9a-f]{8}/i;

export async function portalChecks({ browser, root, packageDir, sandbox, check }) {
  const { serve } = await import(join(root, 'examples', 'portal', 'serve.mjs'));
  const portal = await serve({ sandbox, packageDir });
  const shots = join(root, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const seen = [];
  const settled = [];
  const unread = [];
  /** A page of a new browser context signed in as `garage`, every request and reply recorded in `seen`. */
  const open = async (garage) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (request) => seen.push(`${request.method()} ${request.url()} ${JSON.stringify(request.headers())} ${request.postData() ?? ''}`));
    // The gateway's replies are read where they pass (a route), so Chromium cannot drop one
    // before it is seen; the other replies (pages, scripts) are read by a listener, settled
    // before the context closes (a body Chromium no longer holds is noted in `unread`).
    await page.route('**/api/repair-claims/**', async (route) => {
      const response = await route.fetch();
      seen.push(await response.text());
      await route.fulfill({ response });
    });
    page.on('response', (response) => settled.push((async () => {
      seen.push(`${response.status()} ${response.url()} ${JSON.stringify(await response.allHeaders())}`);
      const redirect = response.status() >= 300 && response.status() < 400;
      if (!redirect && !/\.(wasm|js|css)$/.test(response.url()) && !response.url().includes('/api/repair-claims/')) seen.push(await response.text());
    })().catch((e) => unread.push(`${response.url()}: ${e.message}`))));
    await page.goto(portal.url);
    await page.locator('#login select[name=garage]').selectOption(garage);
    await page.locator('#login button').click();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const close = async () => {
      seen.push(JSON.stringify(await context.cookies()), await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })));
      await Promise.all(settled.splice(0));
      await context.close();
    };
    return { page, errors, close };
  };
  const label = 'portal';
  try {
    const { page, errors, close } = await open('A');
    assert.equal(await page.locator('#who').textContent(), 'Garage A');
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

    await check(`${label}, LALUX: a file over 5 242 880 bytes is FileTooBig, refused by the gateway and never sent to LALUX`, async () => {
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
    await close();

    await check("portal: garage B naming garage A's repair site (the account's first) sees the forbidden error", async () => {
      const b = await open('B');
      assert.equal(await b.page.locator('#who').textContent(), 'Garage B');
      const eco = b.page.locator('#ecologic');
      for (const [name, value] of Object.entries({ LastName: 'Martin', FirstName: 'Paul', Zip: '75002', City: 'Paris', Phone: '0601020305', QuoteNumber: 'DEV-B' })) {
        await eco.locator(`[name=${name}]`).fill(value);
      }
      await b.page.locator('#request').click();
      await b.page.waitForFunction(() => document.querySelector('#request-result').textContent !== '');
      assert.match(await b.page.locator('#request-result').textContent(), /^This account may not call createSupportRequest/);
      assert.equal(await b.page.locator('#request-result').getAttribute('class'), 'bad');
      assert.deepEqual(b.errors, []);
      await b.close();
    });

    await check('portal: no secret, api key or token in any request, reply, cookie or storage of the pages', () => {
      const text = seen.join('\n');
      assert.ok(seen.some((line) => /^\{"data":/.test(line)) && seen.some((line) => /^\{"error":/.test(line)), `the gateway's replies were read (other replies unread: ${unread.join('; ') || 'none'})`);
      assert.ok(seen.some((line) => line.includes('/api/repair-claims/lalux/repairer.settle')), 'the page went through the gateway');
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret in what the page saw: ${secret}`);
      assert.ok(!TOKEN.test(text), `a token in what the page saw: ${TOKEN.exec(text)?.[0]}`);
      assert.ok(!/api_key/i.test(text), 'no api_key header');
    });
  } finally {
    portal.close();
  }
}

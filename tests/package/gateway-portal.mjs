// The gateway portal (examples/gateway-portal) in Chromium: two garages signed in, every request
// and reply of the page recorded with its cookies and storage; no secret, api key or bearer token
// may appear in any of it, and a garage naming another garage's repair site is refused (`forbidden`).
import assert from 'node:assert/strict';
import { join } from 'node:path';

const SECRETS = ['sandbox-repairer-secret', 'sandbox-expert-secret', 'sandbox-expert-password', 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B'];
const TOKEN = /Bearer\s+\S{8,}|sbx-[0-9a-f]{8}/i;

export async function gatewayPortalChecks({ browser, root, packageDir, sandbox, check }) {
  const { start } = await import(join(root, 'examples', 'gateway-portal', 'server.mjs'));
  const portal = await start({ sandbox, packageDir });
  const seen = [];
  const settled = [];
  const unread = [];
  const close = async (context) => {
    await Promise.all(settled.splice(0));
    await context.close();
  };
  const open = async (garage) => {
    const context = await browser.newContext();
    const page = await context.newPage();
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
      if (!redirect && !/\.(wasm|js)$/.test(response.url()) && !response.url().includes('/api/repair-claims/')) seen.push(await response.text());
    })().catch((e) => unread.push(`${response.url()}: ${e.message}`))));
    await page.goto(portal.url);
    await page.locator('select[name=garage]').selectOption(garage);
    await page.locator('form button').click();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return { context, page };
  };
  const result = async (page, button, count) => {
    await page.locator(button).click();
    // Line `count` of the page's output (empty lines, such as none yet, do not count).
    await page.waitForFunction((n) => document.getElementById('out').textContent.split('\n').filter(Boolean).length >= n, count, { timeout: 30_000 });
    return (await page.locator('#out').textContent()).split('\n').filter(Boolean)[count - 1];
  };
  try {
    await check('gateway portal: garage A uploads an invoice and creates a support request through the gateway', async () => {
      const { context, page } = await open('A');
      assert.match(await page.locator('#who').textContent(), /Garage A/);
      assert.match(await result(page, '#upload', 1), /^téléversé : Verified \S+\.pdf$/);
      assert.match(await result(page, '#request', 2), /^demande \d+ créée$/);
      seen.push(JSON.stringify(await context.cookies()), await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })));
      await close(context);
    });
    await check("gateway portal: garage B naming garage A's repair site sees the forbidden error", async () => {
      const { context, page } = await open('B');
      await page.locator('#site').fill('02c867c0-0000-0000-000-3cf8de2dc1c8');
      assert.match(await result(page, '#request', 1), /^erreur forbidden \(createSupportRequest\)/);
      seen.push(JSON.stringify(await context.cookies()));
      await close(context);
    });
    await check('gateway portal: no secret, api key or token in any request, reply, cookie or storage of the page', () => {
      const text = seen.join('\n');
      assert.ok(seen.some((line) => /^\{"data":/.test(line)) && seen.some((line) => /^\{"error":/.test(line)), `the gateway's replies were read (other replies unread: ${unread.join('; ') || 'none'})`);
      assert.ok(seen.some((line) => line.includes('/api/repair-claims/lalux/repairer.upload')), 'the page went through the gateway');
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret in what the page saw: ${secret}`);
      assert.ok(!TOKEN.test(text), `a token in what the page saw: ${TOKEN.exec(text)?.[0]}`);
      assert.ok(!/api_key/i.test(text), 'no api_key header');
    });
  } finally {
    portal.close();
  }
}

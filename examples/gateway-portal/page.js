// The page: no credential anywhere, every call through the back end's gateway.
import init, { EcologicClient, LaluxClient } from '/repair-claims/web/repair_claims.js';

await init();
const lalux = new LaluxClient({ gateway: '/api/repair-claims' });
const ecologic = new EcologicClient({ gateway: '/api/repair-claims' });
const out = document.getElementById('out');
const say = (line) => {
  out.textContent += `${line}\n`;
};
const me = await (await fetch('/me')).json();
if (me) {
  document.getElementById('who').textContent = me.name;
  const [site] = me.sites.length ? me.sites : (await ecologic.repairSites().catch(() => [])).map((s) => s.SiteId);
  document.getElementById('site').value = site ?? '';
}
const shown = (error) => `erreur ${error.kind} (${error.operation}) : ${error.message}`;

document.getElementById('upload').addEventListener('click', async () => {
  const file = document.getElementById('invoice').files[0] ?? new Blob(['%PDF-1.4 demo'], { type: 'application/pdf' });
  try {
    const receipt = await lalux.repairer.upload({ fileNameWithExtension: file.name ?? 'facture.pdf', file });
    say(`téléversé : ${receipt.status} ${receipt.key ?? ''}`);
  } catch (error) {
    say(shown(error));
  }
});

document.getElementById('request').addEventListener('click', async () => {
  try {
    const outcome = await ecologic.createSupportRequest({
      RepairSiteId: document.getElementById('site').value, QuoteNumber: `DEV-${Date.now()}`,
      Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
      Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'G12', SerialNumber: `SN-${Date.now()}`, PurchaseDate: '2022-01-03' },
      Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: 120, Currency: 'EUR' } },
    });
    say(`demande ${outcome.id} créée`);
  } catch (error) {
    say(shown(error));
  }
});
document.body.dataset.ready = 'true';

// Run by dates.test.mjs in a process whose TZ is set: sends each date case through the package to
// the sandbox and prints what was sent (or which field was refused) as JSON.
import {
  PDF, SITE, dossier, ecologic, lalux, receivedAt, repairSettlement, reset,
} from './helpers.mjs';

const client = ecologic();
/** A product eligible from 2022-12-15 (fiche 5, which the test key holds). */
const steamer = dossier({
  Product: { ProductId: 'EEE.M5.024', BrandId: '1689', IRISSymptom: 'XX13', IRISSection: 'G18', SerialNumber: 'SN-TZ' },
});
const dates = {
  pickerDay: new Date(2022, 11, 15),
  offsetTime: '2022-12-15T00:30:00+01:00',
  instant: new Date(Date.UTC(2024, 4, 1, 22, 30)),
  dayOnly: '2024-05-02',
  localTime: '2024-05-02T00:30:00',
  dayBefore: new Date(2022, 11, 14),
  instantBefore: '2022-12-14T22:59:00Z',
};
const cases = {};
for (const [name, RepairEndDate] of Object.entries(dates)) {
  await reset();
  try {
    await client.createClaim({ RepairEndDate, RepairSiteId: SITE, ConsumerInvoiceNumber: `TZ-${name}`, ...steamer });
    const [sent] = await receivedAt('/createclaim');
    cases[name] = { sent: new URLSearchParams(sent.query).get('RepairEndDate') };
  } catch (e) {
    const [field] = e.fields ?? [];
    cases[name] = { refused: field?.field ?? e.message, day: field?.message.match(/not on (\S+)/)?.[1] };
  }
}
for (const [name, dateFacture] of Object.entries({
  laluxPicker: new Date(2024, 2, 1),
  laluxInstant: new Date(Date.UTC(2024, 1, 29, 23, 30)),
})) {
  await reset();
  await lalux().repairer.settle({ ...repairSettlement({ dateFacture }), invoicePdf: PDF });
  const [settlement] = await receivedAt('/lalux/api/reparateur');
  cases[name] = { sent: settlement.body.dateFacture };
}
process.stdout.write(JSON.stringify({ zone: process.env.TZ, cases }));

import { EcologicClient, LaluxClient } from 'repair-claims';

const sandbox = process.env.SANDBOX_URL ?? 'http://127.0.0.1:8787';
const pdf = new TextEncoder().encode('%PDF-1.4 invoice');

// LALUX: upload the invoice, then register the repair settlement (202).
const lalux = new LaluxClient({
  tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`,
  clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret',
});
const { uploads } = await lalux.repairer.settle({
  invoicePdf: pdf, idPrestataire: 'XT1234', referenceFacture: 'F-001', dateFacture: new Date(),
  numeroSinistre: 'S-123', referenceInterneLalux: 'PEC-9', immatriculationVehicule: 'AB1234',
  numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F', typeFacture: 'REP',
  factureHT: 1000, factureTVA: '170.50', factureTTC: 1170.5,
});
console.log('LALUX accepted the settlement; invoice key', uploads[0].key);

// Ecologic: a claim from the repair to its submission, with the two files every claim needs.
const ecologic = new EcologicClient({
  environment: 'production', baseUrl: `${sandbox}/ecologic/api/v1/ecosupport`,
  apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B',
});
const [site] = await ecologic.repairSites();
const claim = await ecologic.claim({
  RepairSiteId: site.SiteId, RepairEndDate: new Date(), ConsumerInvoiceNumber: 'FAC-001',
  Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
  Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSection: 'G12', SerialNumber: `SN-${Date.now()}` },
  Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: 120, Currency: 'EUR' } },
  files: [
    { FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: pdf },
    { FileName: 'attestation', FileExtension: 'pdf', DocumentType: 'CONSUMERVALIDATION', FileContent: pdf },
  ],
});
console.log(`Ecologic claim ${claim.claimId}: ${claim.lastStatus}`, claim.validationErrors);

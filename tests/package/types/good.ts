// Correct usage of every method compiles under `tsc --strict`.
import {
  EcologicClient, LaluxClient, amountsFromHT, formatFieldError, isRepairClaimsError,
  type CallEvent, type ClaimOutcome, type FieldErrorCode, type InvalidField, type VatAmounts, type DossierOutcome, type RepairClaimsError, type RepairSettlement, type UploadReceipt,
} from 'repair-claims';

const lalux = new LaluxClient({ clientId: 'id', clientSecret: 'secret', timeoutMs: 10_000, maxRetries: 1 });
const portal = new LaluxClient({ apiUrl: '/api/lalux', headers: async ({ scope }) => ({ 'x-scope': scope ?? '' }) });
// Hooks: a fetch of one's own, events, a logger.
export const hooked = new LaluxClient({
  clientId: 'id', clientSecret: 'secret', fetch: (input, init) => fetch(input, init),
  onEvent: (e: CallEvent) => console.log(e.type, e.operation, e.attempt, e.status ?? e.error, e.durationMs, e.delayMs), debug: console,
});

const settlement: RepairSettlement = {
  idPrestataire: 'XT1234', referenceFacture: 'F-1', dateFacture: new Date(), numeroSinistre: 'S-1',
  referenceInterneLalux: 'PEC-1', immatriculationVehicule: 'AB1234', numeroChassisVehicule: 'VIN',
  type: 'F', typeFacture: 'VHR', factureHT: 1000, factureTVA: '170.50', factureTTC: 1170.5,
  nbrJourVehiculeRemplacement: 2, refPDFFacture: 'key.pdf',
};

export async function repairer(file: File): Promise<string | undefined> {
  const receipt: UploadReceipt = await lalux.repairer.upload({ fileNameWithExtension: file.name, file }, {
    onProgress: (e) => console.log(e.step, e.bytes),
  });
  await lalux.repairer.submitInvoice({ ...settlement, refPDFFacture: receipt.key ?? '' });
  const { refPDFFacture: _, ...fields } = settlement;
  const settled = await portal.repairer.settle({ ...fields, invoicePdf: new Uint8Array(4) });
  const expert = await lalux.expert.settle({
    idExpert: 'XT5678', referenceFacture: 'H-1', dateFacture: '2024-03-01', numeroSinistre: 'S-1',
    referenceInterneLalux: 'EXP-1', immatriculationVehicule: 'AB', numeroChassisVehicule: 'VIN', type: 'N',
    honorairesHT: 1, honorairesTVA: 0, honorairesTTC: 1, prejudiceHT: 1, prejudiceTVA: 0, prejudiceTTC: 1,
    abandonVehicule: false, feeNotePdf: new ArrayBuffer(4), reportPdf: new Blob([]),
  });
  return settled.uploads[0]?.key ?? expert.uploads[1]?.key;
}

export async function ecologic(): Promise<ClaimOutcome> {
  const client = new EcologicClient({ environment: 'preproduction', apiKey: 'key', referentialMaxAgeMs: 3_600_000 });
  const [site] = await client.repairSites();
  const brand = (await client.brands()).find((b) => b.BrandName === 'Acer');
  const product = (await client.productTypes())[0];
  await client.productTypesWithLabels();
  await client.refreshReferentials();
  const support = await client.calculateEcoSupport({
    TotalAmountExclVAT: '120.00', TotalAmountInclVAT: 144, BrandId: brand?.BrandId ?? '0', BrandName: 'Acer', ProductId: product.ProductId,
  });
  console.log(support[0]?.SupportAmount);
  const repair = {
    Consumer: { Title: 1 as const, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '06' },
    Product: { ProductId: product.ProductId, BrandId: '1689', IRISSymptom: product.IRISSymtoms?.[0], PurchaseDate: new Date() },
    Quote: {
      TotalAmountExclVAT: { Amount: 100 }, // Currency: EUR when left out
      TotalAmountInclVAT: { Amount: '120.00', Currency: 'EUR' as const },
    },
  };
  const request: DossierOutcome = await client.createSupportRequest({ RepairSiteId: site.SiteId, QuoteNumber: 'Q', ...repair });
  await client.updateSupportRequest({ RequestId: request.id, RepairSiteId: 'site', QuoteNumber: 'Q-2', ...repair });
  await client.getSupportRequestStatus(request.id);
  const claim = await client.createClaim({ RequestId: request.id, RepairEndDate: new Date(), RepairSiteId: site.SiteId, ConsumerInvoiceNumber: 'F', ...repair });
  await client.attachFile({ ClaimId: claim.id, FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: new Uint8Array(4) });
  await client.updateClaim({ ClaimId: claim.id, RepairEndDate: '2026-01-01T10:00:00Z', RepairSiteId: site.SiteId, ConsumerInvoiceNumber: 'F', Submit: true, ...repair });
  // FileExtension and DocumentType in any case, as the server reads them (R6).
  await client.attachFile({ ClaimId: claim.id, FileName: 'plaque', FileExtension: 'JPG', DocumentType: 'NamePlate', FileContent: new Uint8Array(4) });
  await client.attachFile({ ClaimId: claim.id, FileName: 'preuve', FileExtension: 'Pdf', DocumentType: 'ConsumerValidation', FileContent: new Uint8Array(4) });
  await client.attachFile({ ClaimId: claim.id, FileName: 'facture', FileExtension: 'pDF', DocumentType: 'Invoice', FileContent: new Uint8Array(4) });
  const status = await client.getClaimStatus(claim.id, { signal: AbortSignal.timeout(5_000), timeoutMs: 2_000, maxRetries: 0 });
  console.log(status.LastStatus, status.ValidationErrors?.length);
  // A reply's nullable field is null on the wire, and typed so.
  if (status.Comment === null) console.log('no comment');
  // The support request's id under claimId alone (T6); a calculation on the repair's day (T8).
  await client.updateSupportRequest({ claimId: request.id, RepairSiteId: 'site', QuoteNumber: 'Q-3', ...repair });
  await client.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: product.ProductId, RepairDate: '2026-11-20' });
  // The reply a value came from.
  const { data: again, response } = await client.getClaimStatus(claim.id).withResponse();
  console.log(again.LastStatus, response?.status, response?.headers.get('x-request-id'), response?.durationMs);
  const submitted = await client.submitClaim(claim.id);
  console.log(submitted.submitted);
  return client.claim({
    RepairEndDate: new Date(), RepairSiteId: site.SiteId, ConsumerInvoiceNumber: 'F', ...repair,
    files: [{ FileName: 'preuve', FileExtension: 'jpg', DocumentType: 'CONSUMERVALIDATION', FileContent: new Blob([]) }],
  });
}

export function explain(error: unknown): string {
  if (!isRepairClaimsError(error)) return String(error);
  const e: RepairClaimsError = error;
  switch (e.kind) {
    case 'validation': return e.fields.map((f: InvalidField) => {
      const code: FieldErrorCode = f.code;
      return `${f.field} (${code}, ${f.params?.limit ?? ''}): ${formatFieldError(f, 'fr')}`;
    }).join('\n');
    case 'refused': {
      const reason: 'invalidOrganization' | 'invalidClaim' | 'notAuthorised' | 'ecosystem' | 'invoiceUsed' | undefined = e.reason;
      return `${e.operation} ${e.status} ${e.responseStatus ?? ''} ${e.responseMessage ?? ''} ${e.uploads?.[0]?.key ?? ''} ${reason ?? ''} ${e.claimId ?? ''} ${e.attached?.join() ?? ''}`;
    }
    case 'authentication': return `${e.message} ${e.error ?? ''}`;
    case 'forbidden': return `${e.operation}: ${e.message}`;
    case 'network': case 'timeout': case 'aborted': case 'unexpectedResponse': case 'journal': {
      const reached: boolean | undefined = e.mayHaveReachedServer;
      return `${e.message} ${reached ?? ''} ${e.responseErrorMessage ?? ''} ${e.claimId ?? e.requestId ?? ''}`;
    }
  }
}

export const triple: VatAmounts = amountsFromHT('1000.00', 17);

// A browser portal: clients on the gateway only; the back end's gateway (repair-claims/server).
export const pageLalux = new LaluxClient({ gateway: '/api/repair-claims' });
export const pageEcologic = new EcologicClient({ gateway: '/api/repair-claims', timeoutMs: 60_000 });
export const allowed = new EcologicClient({ environment: 'production', apiKey: 'key', dangerouslyAllowBrowser: true });
import { createGateway, type GatewayEvent } from 'repair-claims/server';
export const gateway = createGateway<{ headers: Record<string, string | undefined> }>({
  prefix: '/api/repair-claims',
  tenant: (request) => request.headers['x-garage'] ?? null,
  credentials: async (garage) => ({
    lalux: { clientId: String(garage), clientSecret: 'secret' },
    ecologic: { environment: 'production', apiKey: 'key' },
  }),
  authorize: ({ operation, input }) => operation !== 'claim' || input !== undefined,
  onEvent: (event: GatewayEvent) => console.log(event.tenant, event.operation, event.status, event.kind),
  rateLimit: { max: 60, windowMs: 60_000 },
});
export const handler: (request: Request) => Promise<Response> = gateway.fetch;

// The workflows' journal: the package's memory one, the stores of repair-claims/journal, a portal's own.
import { memoryJournal, type ClaimWorkflowInput, type Journal } from 'repair-claims';
import { fileJournal, redisJournal } from 'repair-claims/journal';
const own: Journal = {
  get: async (key: string) => (key ? null : 'value'),
  set: async (_key: string, _value: string, options?: { ttlMs?: number; ifAbsent?: boolean }) => options?.ifAbsent ?? true,
  delete: async () => {},
};
export const journaled = [
  new EcologicClient({ environment: 'production', apiKey: 'key', journal: own, journalLeaseMs: 5_000 }),
  new EcologicClient({ environment: 'production', apiKey: 'key', journal: fileJournal('/var/lib/portal/journal') }),
  new LaluxClient({ clientId: 'id', clientSecret: 'secret', journal: memoryJournal() }),
];
export async function resumed(
  redis: { get(k: string): Promise<string | null>; set(k: string, v: string, o: { NX: true }): Promise<string | null>; del(k: string): Promise<number> },
  input: ClaimWorkflowInput,
): Promise<boolean> {
  const client = new EcologicClient({ environment: 'production', apiKey: 'key', journal: redisJournal(redis) });
  const outcome: ClaimOutcome = await client.claim({ ...input, idempotencyKey: 'claim-42' });
  return outcome.resumed && outcome.skipped.includes('createClaim');
}

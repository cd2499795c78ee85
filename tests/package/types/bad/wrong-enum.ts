// expect: TS2820 "Invoice"
import { EcologicClient } from 'repair-claims';
new EcologicClient({ environment: 'production', apiKey: 'k' }).attachFile({
  ClaimId: 1, FileName: 'facture', FileExtension: 'pdf', DocumentType: 'Invoice', FileContent: new Uint8Array(1),
});

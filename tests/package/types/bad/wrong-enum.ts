// expect: TS2820 "Invoyce"
import { EcologicClient } from 'repair-claims';
new EcologicClient({ environment: 'production', apiKey: 'k' }).attachFile({
  ClaimId: 1, FileName: 'facture', FileExtension: 'pdf', DocumentType: 'Invoyce', FileContent: new Uint8Array(1),
});

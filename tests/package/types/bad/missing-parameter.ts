// expect: TS2345 TotalAmountInclVAT
// A parameter the spec requires and the client does not fill is required by the generated input.
import { EcologicClient } from 'repair-claims';
new EcologicClient({ environment: 'production', apiKey: 'k' }).calculateEcoSupport({ TotalAmountExclVAT: 100, BrandId: '1689', ProductId: 'EEE.M1.010' });

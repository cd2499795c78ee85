// expect: TS2345 claimId
// The generated input asks for one of the ids (x-one-of-required), as the validator does.
import { EcologicClient } from 'repair-claims';
declare const repair: Parameters<EcologicClient['createSupportRequest']>[0];
new EcologicClient({ environment: 'production', apiKey: 'k' }).updateSupportRequest({ ...repair, RepairSiteId: 'site', QuoteNumber: 'Q-2' });

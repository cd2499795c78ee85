// expect: TS2322 Type '5' is not assignable to type 'Title'
import { EcologicClient } from 'repair-claims';
void new EcologicClient({ environment: 'production', apiKey: 'k' }).createSupportRequest({
  RepairSiteId: 'site', QuoteNumber: 'Q',
  Consumer: { Title: 5, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '06' },
  Product: { ProductId: 'EEE.M1.010', BrandId: '1689' },
  Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: 120, Currency: 'EUR' } },
});

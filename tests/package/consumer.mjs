// An ES-module user: import from 'repair-claims', one LALUX call and one Ecologic call.
import assert from 'node:assert/strict';
import { EcologicClient, LaluxClient, isRepairClaimsError } from 'repair-claims';

const sandbox = process.env.SANDBOX_URL;
const lalux = new LaluxClient({
  tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`,
  clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret',
});
const receipt = await lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: new Blob(['%PDF-1.4 esm']) });
assert.equal(receipt.status, 'Verified');
const ecologic = new EcologicClient({
  environment: 'production', baseUrl: `${sandbox}/ecologic/api/v1/ecosupport`, apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B',
});
assert.ok((await ecologic.productTypes()).length > 0);
const error = await lalux.repairer.submitInvoice({}).catch((e) => e);
assert.ok(isRepairClaimsError(error) && error.kind === 'validation' && error.fields.length > 5);
console.log('esm ok');

// A CommonJS user: require('repair-claims'), one LALUX call and one Ecologic call.
const assert = require('node:assert/strict');
const { LaluxClient, EcologicClient, isRepairClaimsError } = require('repair-claims');

const sandbox = process.env.SANDBOX_URL;
(async () => {
  const lalux = new LaluxClient({
    tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`,
    clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret',
  });
  const receipt = await lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: Buffer.from('%PDF-1.4 cjs') });
  assert.equal(receipt.status, 'Verified');
  const ecologic = new EcologicClient({
    environment: 'production', baseUrl: `${sandbox}/ecologic/api/v1/ecosupport`, apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B',
  });
  assert.ok((await ecologic.brands()).length > 0);
  const error = await ecologic.getClaimStatus(-1).catch((e) => e);
  assert.ok(isRepairClaimsError(error) && error.kind === 'validation');
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });

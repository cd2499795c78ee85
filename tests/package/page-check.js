// What both test pages do in the browser: one LALUX upload (a Blob) and one Ecologic call against
// the sandbox named in `?sandbox=`, then report in the page's title.
export async function run(LaluxClient, EcologicClient) {
  const sandbox = new URLSearchParams(location.search).get('sandbox');
  const report = (text) => {
    document.title = text;
    document.getElementById('result').textContent = text;
  };
  try {
    const lalux = new LaluxClient({
      tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`,
      clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret',
      // The sandbox's own credentials; a portal's page uses `gateway` instead.
      dangerouslyAllowBrowser: true,
    });
    const receipt = await lalux.repairer.upload({ fileNameWithExtension: 'page.pdf', file: new Blob(['%PDF-1.4 page']) });
    const ecologic = new EcologicClient({
      environment: 'production', baseUrl: `${sandbox}/ecologic/api/v1/ecosupport`, apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B',
      dangerouslyAllowBrowser: true,
    });
    const brands = await ecologic.brands();
    report(receipt.status === 'Verified' && brands.length > 0 ? 'ok' : `unexpected: ${receipt.status} ${brands.length}`);
  } catch (e) {
    report(`error: ${e.kind ?? ''} ${e.message}`);
  }
}

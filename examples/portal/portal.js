// The demo portal: a repair shop's two forms, built on the package's `web` entry (served under
// /repair-claims/ by serve.mjs, the portal's back end). The page holds no credential: its clients
// send every call to the back end's gateway, which checks it again, adds the signed-in garage's
// credentials and sends it on. Field errors come from the gateway's checks (nothing was sent) or
// from the APIs, and are shown next to their inputs.
import init, { EcologicClient, LaluxClient, formatFieldError, isRepairClaimsError } from '/repair-claims/web/repair_claims.js';

await init();

const $ = (selector) => document.querySelector(selector);
const lalux = $('#lalux');
const eco = $('#ecologic');
const clients = {
  lalux: new LaluxClient({ gateway: '/api/repair-claims' }),
  ecologic: new EcologicClient({ gateway: '/api/repair-claims' }),
};
let referentials = { brands: [], products: [] };
let claimId;

/** The signed-in garage (`{ garage, name, sites }`), or null. */
const me = await (await fetch('/me')).json();
$('#who').textContent = me ? me.name : 'non connecté';

function say(output, text, ok) {
  output.textContent = text;
  output.className = ok ? 'ok' : 'bad';
}

/** Shows every field error next to its input, in French (Ecologic's own messages are French); the others in `output`. */
function showErrors(form, error, output, alias = {}) {
  for (const small of form.querySelectorAll('.error')) small.textContent = '';
  for (const input of form.querySelectorAll('.invalid')) input.classList.remove('invalid');
  if (!isRepairClaimsError(error)) return say(output, String(error), false);
  const elsewhere = [];
  for (const fault of error.fields) {
    const { field } = fault;
    const message = formatFieldError(fault, 'fr');
    const name = alias[field] ?? field.split('.').pop();
    const input = form.elements[name];
    const small = input?.closest('label')?.querySelector('.error');
    if (small) {
      small.textContent = message;
      input.classList.add('invalid');
    } else {
      elsewhere.push(`${field}: ${message}`);
    }
  }
  const detail = [error.responseMessage, error.responseErrorMessage, ...elsewhere].filter(Boolean).join('\n');
  say(output, `${error.message}${detail ? `\n${detail}` : ''}`, false);
}

// LALUX: the days field is shown only for VHR (L13).
lalux.elements.typeFacture.addEventListener('change', () => {
  $('#days').hidden = lalux.elements.typeFacture.value !== 'VHR';
});

lalux.addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('#lalux-result');
  const f = lalux.elements;
  const input = {
    idPrestataire: f.idPrestataire.value, referenceFacture: f.referenceFacture.value, dateFacture: f.dateFacture.value,
    numeroSinistre: f.numeroSinistre.value, referenceInterneLalux: f.referenceInterneLalux.value,
    immatriculationVehicule: f.immatriculationVehicule.value, numeroChassisVehicule: f.numeroChassisVehicule.value,
    type: f.type.value, typeFacture: f.typeFacture.value,
    factureHT: f.factureHT.value, factureTVA: f.factureTVA.value, factureTTC: f.factureTTC.value,
    invoicePdf: f.invoicePdf.files[0],
  };
  if (f.typeFacture.value === 'VHR') input.nbrJourVehiculeRemplacement = Number(f.nbrJourVehiculeRemplacement.value);
  if (f.invoicePdf.files[0]) input.invoiceFileName = f.invoicePdf.files[0].name;
  say(out, 'Sending…', true);
  try {
    const { uploads } = await clients.lalux.repairer.settle(input, {
      onProgress: (e) => say(out, `${e.step}${e.file ? ` ${e.file}` : ''}…`, true),
    });
    showErrors(lalux, { fields: [] }, out);
    say(out, `Upload: ${uploads[0].status}, key ${uploads[0].key}\nLALUX accepted the settlement (202).`, true);
  } catch (error) {
    showErrors(lalux, error, out, { invoiceFileName: 'invoicePdf' });
    const upload = error.uploads?.[0];
    if (upload) out.textContent = `Upload: ${upload.status}${upload.key ? `, key ${upload.key}` : ''}\n${out.textContent}`;
    // The client refuses a file over the limit before sending it: LALUX's FileTooBig, locally.
    const tooBig = error.fields?.find((f) => f.field === 'invoicePdf' && f.code === 'fileTooBig');
    if (tooBig) out.textContent = `Upload: FileTooBig (not sent: ${formatFieldError(tooBig, 'fr')})\n${out.textContent}`;
  }
});

// Ecologic: referentials (cached 24 h by the client) feed the searchable lists.
async function loadReferentials() {
  try {
    const [brands, products] = await Promise.all([clients.ecologic.brands(), clients.ecologic.productTypesWithLabels()]);
    referentials = { brands, products };
    $('#brands').replaceChildren(...brands.map((b) => new Option(`${b.BrandName} (${b.BrandId})`)));
    $('#products').replaceChildren(...products.map((p) => new Option(`${p.ProductName} (${p.ProductId})`)));
  } catch (error) {
    say($('#support'), `Referentials: ${error.message}`, false);
  }
}

const idIn = (text) => /\(([^)]+)\)\s*$/.exec(text ?? '')?.[1] ?? '';
const product = () => referentials.products.find((p) => p.ProductId === idIn(eco.elements.product.value));

let shownProduct;
eco.elements.product.addEventListener('change', () => {
  const p = product();
  if (p?.ProductId === shownProduct) return;
  shownProduct = p?.ProductId;
  const options = (codes) => [new Option('—', ''), ...(codes ?? []).map((c) => new Option(`${c.Code} — ${c.Label}`, c.Code))];
  eco.elements.IRISSymptom.replaceChildren(...options(p?.IRISSymtoms));
  eco.elements.IRISSection.replaceChildren(...options(p?.RepairCodes));
});

function dossier() {
  const f = eco.elements;
  const optional = (v) => v || undefined;
  return {
    Consumer: {
      Title: Number(f.Title.value), LastName: f.LastName.value, FirstName: f.FirstName.value,
      Zip: f.Zip.value, City: f.City.value, Country: '250', Phone: f.Phone.value,
    },
    Product: {
      ProductId: idIn(f.product.value), BrandId: idIn(f.brand.value) || f.brand.value,
      IRISSymptom: optional(f.IRISSymptom.value), IRISSection: optional(f.IRISSection.value), SerialNumber: optional(f.SerialNumber.value),
    },
    Quote: {
      TotalAmountExclVAT: { Amount: f.TotalAmountExclVAT.value, Currency: 'EUR' },
      TotalAmountInclVAT: { Amount: f.TotalAmountInclVAT.value, Currency: 'EUR' },
    },
  };
}
// The garage's own repair site, else the first the Ecologic account lists (which the gateway
// refuses for a garage that does not own it: the page shows that `forbidden` error).
const siteId = async () => me?.sites[0] ?? (await clients.ecologic.repairSites())[0]?.SiteId;
const ecoAlias = { ProductId: 'product', BrandId: 'brand', Amount: 'TotalAmountInclVAT', TotalAmountExclVAT: 'TotalAmountExclVAT' };
const listErrors = (errors) => (errors ?? []).map((e) => `• ${e.Field}: ${e.ErrorMessage}`).join('\n');

$('#calculate').addEventListener('click', async () => {
  const out = $('#support');
  const d = dossier();
  try {
    const [support] = await clients.ecologic.calculateEcoSupport({
      TotalAmountExclVAT: eco.elements.TotalAmountExclVAT.value, TotalAmountInclVAT: eco.elements.TotalAmountInclVAT.value,
      BrandId: d.Product.BrandId, ProductId: d.Product.ProductId,
      IRISSymptom: d.Product.IRISSymptom, RepairCode: d.Product.IRISSection,
    });
    showErrors(eco, { fields: [] }, out);
    say(out, `Soutien : ${support.SupportAmount} € TTC`, true);
  } catch (error) {
    showErrors(eco, error, out, ecoAlias);
  }
});

let requestId;
$('#request').addEventListener('click', async () => {
  const out = $('#request-result');
  try {
    const outcome = await clients.ecologic.createSupportRequest({ RepairSiteId: await siteId(), QuoteNumber: eco.elements.QuoteNumber.value, ...dossier() });
    requestId = outcome.id;
    showErrors(eco, { fields: [] }, out);
    say(out, `Demande de soutien ${outcome.id} : ${outcome.complete ? 'complète' : `incomplète\n${listErrors(outcome.validationErrors)}`}`, outcome.complete);
  } catch (error) {
    showErrors(eco, error, out, ecoAlias);
  }
});

const attachedInputs = new Set();
$('#claim').addEventListener('click', async () => {
  const out = $('#claim-result');
  const bar = $('#progress');
  const f = eco.elements;
  // The first click creates the claim with the files chosen; later clicks attach the new ones.
  const chosen = [['invoice', 'INVOICE'], ['proof', 'CONSUMERVALIDATION'], ['nameplate', 'NAMEPLATE']]
    .filter(([name]) => f[name].files[0] && !attachedInputs.has(name));
  const files = chosen.map(([name, DocumentType]) => {
    const file = f[name].files[0];
    const dot = file.name.lastIndexOf('.');
    return { FileName: file.name.slice(0, dot), FileExtension: file.name.slice(dot + 1).toLowerCase(), DocumentType, FileContent: file };
  });
  bar.value = 0;
  let attached = 0;
  const onProgress = (e) => {
    if (e.step === 'attached') attached++;
    bar.value = files.length ? attached / files.length : 1;
  };
  try {
    let status;
    if (claimId === undefined) {
      const outcome = await clients.ecologic.claim({
        RequestId: requestId, RepairEndDate: new Date(), RepairSiteId: await siteId(),
        ConsumerInvoiceNumber: f.ConsumerInvoiceNumber.value, ...dossier(), files, submit: false,
      }, { onProgress });
      claimId = outcome.claimId;
      status = { LastStatus: outcome.lastStatus, ValidationErrors: outcome.validationErrors };
    } else {
      for (const file of files) await clients.ecologic.attachFile({ ClaimId: claimId, ...file }, { onProgress });
      status = await clients.ecologic.getClaimStatus(claimId);
    }
    chosen.forEach(([name]) => attachedInputs.add(name));
    bar.value = 1;
    showErrors(eco, { fields: [] }, out);
    const missing = listErrors(status.ValidationErrors);
    say(out, `Demande de remboursement ${claimId} : ${status.LastStatus}${missing ? `\n${missing}` : ''}`, !missing);
    $('#submit').disabled = false;
  } catch (error) {
    showErrors(eco, error, out, { ...ecoAlias, FileExtension: 'invoice', FileContent: 'invoice' });
  }
});

$('#submit').addEventListener('click', async () => {
  const out = $('#submit-result');
  try {
    const outcome = await clients.ecologic.submitClaim(claimId);
    say(out, outcome.submitted ? `Soumise (${claimId})` : `Non soumise : ${outcome.lastStatus}\n${listErrors(outcome.validationErrors)}`, outcome.submitted);
  } catch (error) {
    showErrors(eco, error, out);
  }
});

if (me) loadReferentials();
document.body.dataset.ready = 'true';

// expect: TS2345 dateFacture
import { LaluxClient } from 'repair-claims';
new LaluxClient({ clientId: 'a', clientSecret: 'b' }).repairer.submitInvoice({
  idPrestataire: 'XT1234', referenceFacture: 'F-1', numeroSinistre: 'S-1',
  referenceInterneLalux: 'PEC-1', immatriculationVehicule: 'AB1234', numeroChassisVehicule: 'VIN',
  type: 'F', typeFacture: 'REP', factureHT: 1, factureTVA: 0, factureTTC: 1, refPDFFacture: 'k.pdf',
});

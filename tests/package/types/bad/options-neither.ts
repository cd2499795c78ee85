// expect: TS2345 LaluxOptions
import { LaluxClient } from 'repair-claims';
new LaluxClient({ tokenUrl: 'https://wts.lalux.lu', timeoutMs: 1000 });

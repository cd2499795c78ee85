// expect: TS2345 EcologicOptions
import { EcologicClient } from 'repair-claims';
new EcologicClient({ gateway: '/api/repair-claims', apiKey: 'k' });

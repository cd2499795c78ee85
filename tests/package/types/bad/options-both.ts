// expect: TS2345 EcologicOptions
import { EcologicClient } from 'repair-claims';
new EcologicClient({ environment: 'production', apiKey: 'k', headers: async () => ({ api_key: 'k' }) });

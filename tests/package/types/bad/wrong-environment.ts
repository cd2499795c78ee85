// expect: TS2322 "prod"
import { EcologicClient } from 'repair-claims';
new EcologicClient({ environment: 'prod', apiKey: 'k' });

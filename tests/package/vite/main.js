// A bundled page: `import` from the package, no init (the bundler entry initialises itself).
import { EcologicClient, LaluxClient } from 'repair-claims';
import { run } from '../page-check.js';

run(LaluxClient, EcologicClient);

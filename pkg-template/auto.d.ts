// Everything but `init`/`initSync`: this entry initialises itself.
export * from './repair_claims.js';

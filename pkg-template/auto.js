// The entry bundlers use: fetches and instantiates the WebAssembly module once (a top-level
// await, supported by Vite's and webpack 5's default targets), then exports the API.
import init from './repair_claims.js';

await init();

export * from './repair_claims.js';

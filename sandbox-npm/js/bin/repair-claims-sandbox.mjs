#!/usr/bin/env node
// npx repair-claims-sandbox [--port N] [--seed N] [--strict] | --help | --version: serves the
// sandbox on 127.0.0.1 and prints the URLs of both APIs, the credentials it accepts and a
// SANDBOX_URL= line, as `cargo run -p sandbox` does. Port 0 picks a free port; the default is 8787.
import { readFileSync } from 'node:fs';
import { startSandbox } from '../index.mjs';

const USAGE = `Usage: repair-claims-sandbox [--port N] [--seed N] [--strict]

Serves a local sandbox of the LALUX and Ecologic APIs on 127.0.0.1 and prints
the base URL of each simulated host, the credentials it accepts and a
SANDBOX_URL= line.

  --port N    the port to listen on (default 8787; 0 picks a free one)
  --seed N    the seed of the generated ids and tokens (default 42)
  --strict    refuse what a strict reading of the specs refuses, even where
              the real servers accept it (by default it is accepted and
              reported in the X-Sandbox-Deviation header)
  --help      print this help
  --version   print the version`;

function parse(args) {
  const options = { port: 8787, seed: 42, strict: false };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    if (flag === '--help' || flag === '-h') return { print: USAGE };
    if (flag === '--version' || flag === '-v') {
      const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      return { print: version };
    }
    if (flag === '--strict') {
      options.strict = true;
      continue;
    }
    const value = args[i + 1];
    i += 1;
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--port') {
      options.port = Number(value);
      if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`--port ${value}: not a port number`);
    } else if (flag === '--seed') {
      options.seed = Number(value);
      if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new Error(`--seed ${value}: not a number`);
    } else {
      throw new Error(`unknown option ${flag}; use --port N, --seed N and --strict (--help for more)`);
    }
  }
  return options;
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  console.error(`sandbox: ${error.message}`);
  process.exit(2);
}
if (options.print) {
  console.log(options.print);
  process.exit(0);
}
try {
  const sandbox = await startSandbox(options);
  console.log(sandbox.banner);
  const stop = () => sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`sandbox: cannot listen on 127.0.0.1:${options.port}: ${error.code ?? error.message}`);
  process.exit(1);
}

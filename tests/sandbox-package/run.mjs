// repair-claims-sandbox as users get it: its tarball installed into a fresh project, run with no
// Rust toolchain on the PATH:
//   - `npx repair-claims-sandbox` prints the Rust binary's banner and serves both APIs;
//   - startSandbox() in a user's node:test file (consumer.test.mjs);
//   - one suite (host-checks.mjs) against the Rust binary and the npm host: the same transcript;
//   - the body limit, and flat memory over 40 uploads of 5 MB, in both hosts;
//   - the typed handle under tsc --strict.
// The Service Worker host is checked with the demo portal (tests/package/portal.mjs).
// Prints one line per check and a "test result:" summary line; exits non-zero on any failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostChecks } from './host-checks.mjs';
import { checks } from '../package/checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tarball = readdirSync(join(root, 'dist')).find((f) => /^repair-claims-sandbox-\d.*\.tgz$/.test(f));
if (!tarball) throw new Error('no repair-claims-sandbox tarball in dist/: run ./scripts/build.sh');
const rustBinary = join(root, 'target', 'debug', 'sandbox');

const { check, finish } = checks();
const expect = (condition, message) => {
  if (!condition) throw new Error(message);
};

// No cargo, no rustc: what a JavaScript user's machine has.
const PATH = process.env.PATH.split(delimiter)
  .filter((dir) => !['cargo', 'rustc'].some((tool) => existsSync(join(dir, tool))))
  .join(delimiter);
const env = { ...process.env, PATH };
delete env.SANDBOX_URL;

const project = mkdtempSync(join(tmpdir(), 'repair-claims-sandbox-user-'));
const run = (command, args) => execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: 'pipe', env });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sandbox-user', private: true, type: 'module' }));
run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(root, 'dist', tarball)]);
cpSync(join(here, 'consumer.test.mjs'), join(project, 'consumer.test.mjs'));

/**
 * Starts a host process in a process group of its own; resolves with its URL, banner, pid and a
 * stop() that signals the whole group (npx runs the sandbox in a child process of its own).
 */
function startHost(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  let output = ''; // stdout: the banner
  let errors = ''; // stderr (npm's own warnings, a failure)
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}${errors}`)), 20_000);
    const read = (chunk) => {
      output += chunk;
      const url = output.match(/^SANDBOX_URL=(\S+)$/m)?.[1];
      if (url) {
        clearTimeout(timer);
        resolveStart({
          url, banner: output.slice(0, output.indexOf(`SANDBOX_URL=${url}`) + `SANDBOX_URL=${url}`.length), pid: child.pid,
          stop: () => new Promise((r) => { child.once('exit', (code, signal) => r(code ?? signal)); process.kill(-child.pid, 'SIGTERM'); }),
        });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk) => { errors += chunk; });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${output}${errors}`)));
  });
}
const npmHost = (args) => startHost(join(project, 'node_modules', '.bin', 'repair-claims-sandbox'), args, { cwd: project, env });
const rustHost = (args) => startHost(rustBinary, args);

await check('no Rust toolchain on the PATH these checks run with', () => {
  const found = spawnSync('sh', ['-c', 'command -v cargo || command -v rustc'], { env, encoding: 'utf8' });
  expect(found.status !== 0, `found ${found.stdout}`);
});

await check('npx repair-claims-sandbox prints the Rust binary\'s banner, serves both APIs, stops on SIGTERM; --help and --version exit 0', async () => {
  const npx = await startHost('npx', ['--no-install', 'repair-claims-sandbox', '--port', '0', '--seed', '7', '--strict'], { cwd: project, env });
  const rust = await rustHost(['--port', '0', '--seed', '7', '--strict']);
  try {
    const same = (host) => host.banner.replaceAll(host.url, 'ORIGIN');
    expect(same(npx) === same(rust), `banners differ:\n${same(npx)}\n---\n${same(rust)}`);
    const info = await (await fetch(`${npx.url}/_sandbox/info`)).json();
    expect(info.ecologicApiKeys.length === 2, 'info');
    const brands = await fetch(`${npx.url}/ecologic/api/v1/ecosupport/printbrandlist`, { headers: { api_key: info.ecologicApiKeys[0] } });
    expect(brands.status === 200 && (await brands.json()).ResponseStatus === 'S', 'Ecologic answers');
  } finally {
    await rust.stop();
    const status = await npx.stop();
    expect(status === 0 || status === 'SIGTERM', `npx ended with ${status}`);
  }
  const gone = await fetch(`${npx.url}/_sandbox/info`).then(() => false, () => true);
  expect(gone, 'the sandbox npx started still answers after SIGTERM');
  const refused = spawnSync('npx', ['--no-install', 'repair-claims-sandbox', '--bogus', '1'], { cwd: project, env, encoding: 'utf8' });
  expect(refused.status === 2 && refused.stderr.includes('unknown option --bogus; use --port N, --seed N and --strict'), refused.stderr);
  const help = spawnSync('npx', ['--no-install', 'repair-claims-sandbox', '--help'], { cwd: project, env, encoding: 'utf8' });
  expect(help.status === 0 && /^Usage: repair-claims-sandbox \[--port N\]/.test(help.stdout) && help.stdout.includes('--strict'), help.stdout + help.stderr);
  const { version } = JSON.parse(readFileSync(join(project, 'node_modules', 'repair-claims-sandbox', 'package.json'), 'utf8'));
  const shown = spawnSync('npx', ['--no-install', 'repair-claims-sandbox', '--version'], { cwd: project, env, encoding: 'utf8' });
  expect(shown.status === 0 && shown.stdout.trim() === version, `--version printed ${shown.stdout}${shown.stderr}`);
});

await check('startSandbox() in a user\'s node:test file: two sandboxes side by side, every admin call', () => {
  const out = spawnSync(process.execPath, ['--test', 'consumer.test.mjs'], { cwd: project, env, encoding: 'utf8' });
  expect(out.status === 0 && /# pass 2/.test(out.stdout), out.stdout + out.stderr);
});

await check('the package README\'s node:test example runs as written', () => {
  const example = readFileSync(join(here, 'readme-example.test.mjs'), 'utf8');
  const readme = readFileSync(join(project, 'node_modules', 'repair-claims-sandbox', 'README.md'), 'utf8');
  expect(readme.includes(example), 'README.md does not show tests/sandbox-package/readme-example.test.mjs verbatim');
  cpSync(join(here, 'readme-example.test.mjs'), join(project, 'readme-example.test.mjs'));
  const out = spawnSync(process.execPath, ['--test', 'readme-example.test.mjs'], { cwd: project, env, encoding: 'utf8' });
  expect(out.status === 0 && /# pass 1/.test(out.stdout), out.stdout + out.stderr);
});

await check('the handle is typed: a consumer compiles under tsc --strict, a wrong fault does not', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const good = `import { startSandbox, type LoggedRequest } from 'repair-claims-sandbox';
const sandbox = await startSandbox({ port: 0, seed: 1 });
await sandbox.injectFault({ route: '/printbrandlist', status: 503, retryAfter: 2, times: 1 });
const log: LoggedRequest[] = await sandbox.requests();
console.log(sandbox.urls.laluxApi, sandbox.credentials.lalux.repairerClientId, log[0]?.bodySummary?.bytes);
await sandbox.close();
`;
  writeFileSync(join(project, 'good.ts'), good);
  writeFileSync(join(project, 'bad.ts'), good.replace('retryAfter: 2', "retryAfter: '2'"));
  const compile = (file) => spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2022', '--module', 'node16', '--moduleResolution', 'node16', file], { cwd: project, encoding: 'utf8' });
  const ok = compile('good.ts');
  expect(ok.status === 0, ok.stdout);
  const bad = compile('bad.ts');
  expect(bad.status !== 0 && /TS2322/.test(bad.stdout), bad.stdout);
});

await check('every host gives the same transcript: faults, clock, scanner, token lifetime, 413 (Rust binary, npm)', async () => {
  const transcripts = [];
  for (const start of [rustHost, npmHost]) {
    const host = await start(['--port', '0']);
    try {
      transcripts.push(await hostChecks(host.url));
    } finally {
      await host.stop();
    }
  }
  expect(JSON.stringify(transcripts[0]) === JSON.stringify(transcripts[1]), `transcripts differ:\n${transcripts[0].join('\n')}\n---\n${transcripts[1].join('\n')}`);
});

/** Resident memory of a process, in MiB (Linux). */
const rssMiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]) / 1024;

for (const [name, start] of [['Rust binary', rustHost], ['npm host', npmHost]]) {
  await check(`memory stays flat over 40 uploads of 5 MB (${name})`, async () => {
    const host = await start(['--port', '0']);
    try {
      const { access_token: token } = await (await fetch(`${host.url}/lalux/wts/token`, {
        method: 'POST',
        headers: { authorization: 'sandbox-repairer/sandbox-repairer-secret', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=%2Freparateur',
      })).json();
      const body = JSON.stringify({ fileNameWithExtension: 'big.pdf', file: Buffer.alloc(5_000_000, 37).toString('base64') });
      const rss = [];
      for (let i = 1; i <= 40; i++) {
        const reply = await fetch(`${host.url}/lalux/api/reparateur/upload`, {
          method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body,
        });
        expect((await reply.json()).status === 'Verified', `upload ${i}: ${reply.status}`);
        if (i === 10 || i === 40) rss.push(rssMiB(host.pid));
      }
      const log = await (await fetch(`${host.url}/_sandbox/requests`)).json();
      const uploads = log.filter((r) => r.path.endsWith('/upload'));
      expect(uploads.length === 40 && uploads.every((u) => u.body === null && u.bodySummary.bytes === body.length), 'uploads logged as summaries');
      const growth = rss[1] - rss[0];
      console.log(`    ${name}: RSS after 10 uploads ${rss[0].toFixed(0)} MiB, after 40 ${rss[1].toFixed(0)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB; the 30 bodies weigh ${(30 * body.length / 2 ** 20).toFixed(0)} MiB)`);
      expect(growth < 40, `grew by ${growth.toFixed(1)} MiB over 30 uploads`);
    } finally {
      await host.stop();
    }
  });
}

finish();

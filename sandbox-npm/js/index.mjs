// The Node host: serves a sandbox core on 127.0.0.1 with node:http.
//   import { startSandbox } from 'repair-claims-sandbox';
//   const sandbox = await startSandbox({ port: 0, seed: 42 });   // port 0: a free port
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { initSync } from './core/sandbox_core.js';
import { Host, mayHaveBody, sleep } from './host.js';

initSync({ module: readFileSync(new URL('./core/sandbox_core_bg.wasm', import.meta.url)) });

/** Starts a sandbox on 127.0.0.1:`port`; resolves once it listens. */
export async function startSandbox({ port = 0, seed = 42, strict = false } = {}) {
  const host = new Host({ seed, strict });
  const sockets = new Set();
  const server = createServer((request, response) => {
    serve(host, request, response).catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    host.free();
    throw error;
  }
  let closed;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => {
        host.free();
        resolve();
      });
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  return host.handle(`http://127.0.0.1:${server.address().port}`, close);
}

/** Reads a request (refusing a body over the limit before it is read whole), answers it. */
async function serve(host, request, response) {
  // The request-target as it came: a path that starts with `//` is a path, not a host.
  const target = request.url ?? '/';
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = mark < 0 ? '' : target.slice(mark + 1);
  const body = await readBody(request, host.maxBodyBytes);
  if (body === null) {
    request.resume(); // what remains is read and thrown away, never kept
    return deliver(response, host.tooLarge());
  }
  const headers = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    headers.push([request.rawHeaders[i].toLowerCase(), request.rawHeaders[i + 1]]);
  }
  const answer = host.answer({ method: request.method, path, query, headers, body });
  await sleep(answer.delayMs);
  deliver(response, answer);
}

/** The body, or null when it is (or announces to be) over `limit` bytes. */
function readBody(request, limit) {
  if (Number(request.headers['content-length']) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        chunks.length = 0;
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    };
    request.on('data', onData);
    request.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

/** Sends an answer whole, drops the connection, or sends half its body and closes. */
function deliver(response, answer) {
  if (answer.delivery === 'drop') return response.socket?.destroy();
  for (const [name, value] of answer.headers) response.setHeader(name, value);
  if (answer.delivery === 'truncate') {
    response.writeHead(answer.status, { 'content-length': answer.body.length });
    response.write(answer.body.subarray(0, answer.body.length >> 1), () => response.socket?.destroy());
    return;
  }
  response.writeHead(answer.status);
  response.end(mayHaveBody(answer.status) ? answer.body : undefined);
}

// The browser host: the sandbox core inside a Service Worker, answering the page's requests
// below `prefix` on its own origin, so a portal runs as a static site with no server at all.
// A worker script of your site's root (so that its scope covers your pages) imports it:
//   // sandbox-sw.js, registered with navigator.serviceWorker.register('/sandbox-sw.js', { type: 'module' })
//   import { serveSandbox } from './node_modules/repair-claims-sandbox/sw.js';
//   serveSandbox({ prefix: '/sandbox' });
// The clients then use `${location.origin}/sandbox/lalux/wts` and the like as base URLs. The
// sandbox's state lives as long as the worker (a browser stops an idle worker after a while).
import init from './core/sandbox_core.js';
import { Host, mayHaveBody, sleep } from './host.js';

/** Answers every same-origin request whose path starts with `prefix/` from a fresh sandbox. */
export function serveSandbox({ prefix = '/sandbox', seed = 42, strict = false } = {}) {
  const ready = init({ module_or_path: new URL('./core/sandbox_core_bg.wasm', import.meta.url) })
    .then(() => new Host({ seed, strict }));
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
  self.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (url.origin !== self.location.origin || !url.pathname.startsWith(`${prefix}/`)) return;
    event.respondWith(ready.then((host) => answer(host, event.request, url.pathname.slice(prefix.length), url)));
  });
}

async function answer(host, request, path, url) {
  const body = await readBody(request, host.maxBodyBytes);
  if (body === null) return toResponse(host.tooLarge());
  const reply = host.answer({ method: request.method, path, query: url.search.slice(1), headers: [...request.headers], body });
  await sleep(reply.delayMs);
  if (reply.delivery === 'drop') return Response.error();
  return toResponse(reply);
}

/** The body, or null when it is (or announces to be) over `limit` bytes. */
async function readBody(request, limit) {
  if (Number(request.headers.get('content-length')) > limit) return null;
  if (!request.body) {
    // No stream (no body, or a browser that does not stream request bodies to workers).
    const whole = new Uint8Array(await request.arrayBuffer());
    return whole.length > limit ? null : whole;
  }
  const chunks = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

/** A `Response` for an answer; `truncate` sends half the body, then fails the stream. */
function toResponse({ status, headers, body, delivery }) {
  if (!mayHaveBody(status)) return new Response(null, { status, headers });
  if (delivery !== 'truncate') return new Response(body, { status, headers });
  const half = body.subarray(0, body.length >> 1);
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(half);
      controller.error(new TypeError('truncated by fault injection'));
    },
  });
  return new Response(stream, { status, headers });
}

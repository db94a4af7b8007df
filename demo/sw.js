// The demo's service worker (demo/build.mjs fills in FILES and VERSION): caches every built file (the
// app, the kernel binaries, the pool worker, the model, the icons) at install, then answers from the
// cache first, so the app works offline once loaded. Cached responses keep their headers (COOP/COEP),
// so the page stays cross-origin isolated offline and keeps its threads.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `edgecnn-demo-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('edgecnn-demo-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreSearch: true }) ?? (req.mode === 'navigate' ? await cache.match('./') : undefined);
    if (hit) return hit;
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') cache.put(req, res.clone());
    return res;
  })());
});

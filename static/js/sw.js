/* The service worker of the installable app (served at /sw.js, scope /).
   - The shell (CSS, JS, icons under /static/) is kept as it is fetched: the kept copy first,
     refreshed behind it.
   - The intake form and the queue are fetched from the network when there is signal (and
     the copy kept); without signal the kept copy is shown, so a report can be made in a field.
   - Other pages go to the network; without signal a short page says so.
   Form posts never pass through here: the page keeps an unsent report in IndexedDB and sends
   it itself (static/js/offline.js). Signing in or out drops the kept pages. */
"use strict";

var VERSION = "v1";
var SHELL = "shell-" + VERSION;
var PAGES = "pages-" + VERSION;
var OFFLINE_PAGES = ["/cases/new/", "/queue/"];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== SHELL && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* A page asks for what it needs offline (its own address and its assets): what is not kept
   yet is fetched (a first visit came before this worker controlled the page). Whichever page
   it is, the intake form and the queue are kept too, with the assets they load, so that a
   phone opened at any page can still report a dispute when the signal goes (a page the user
   may not open, or the sign-in page it redirects to, is not kept). */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) return;
  var work = data.urls.map(function (raw) {
    var url = new URL(raw, self.location.origin);
    if (url.origin !== self.location.origin) return null;
    if (url.pathname.indexOf("/static/") === 0) return keep(SHELL, new Request(url.href));
    return null;
  });
  OFFLINE_PAGES.forEach(function (path) { work.push(keep(PAGES, new Request(path))); });
  event.waitUntil(Promise.all(work));
});

function keep(cacheName, request) {
  return caches.match(request, { cacheName: cacheName }).then(function (hit) {
    return hit ? null : fetchAndKeep(cacheName, request);
  });
}

function fetchAndKeep(cacheName, request) {
  return fetch(request, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok || response.redirected || response.type !== "basic") return null;
    var copy = response.clone();
    return caches.open(cacheName).then(function (cache) {
      return cache.put(request, response);
    }).then(function () {
      return cacheName === PAGES ? keepAssetsOf(copy) : null;
    });
  }).catch(function () { /* no signal: kept as before */ });
}

/* The stylesheets and scripts a kept page loads (its own, beyond those of the page that asked). */
function keepAssetsOf(response) {
  return response.text().then(function (html) {
    var found = html.match(/(?:src|href)="\/static\/[^"]+"/g) || [];
    return Promise.all(found.map(function (attr) {
      var path = attr.slice(attr.indexOf('"') + 1, -1).replace(/&amp;/g, "&");
      return keep(SHELL, new Request(new URL(path, self.location.origin).href));
    }));
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/login/" || url.pathname === "/logout/") {
    // Another person may sign in on this phone next: their pages are not kept.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf("/static/") === 0) {
    // Stale while revalidate: the kept copy at once, a fresh one kept for the next visit.
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        if (hit) {
          event.waitUntil(fresh.catch(function () {}));
          return hit;
        }
        return fresh;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") return;
  if (OFFLINE_PAGES.indexOf(url.pathname) >= 0 && !url.search) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname, { cacheName: PAGES }).then(function (hit) {
        return hit || offlinePage();
      });
    }));
    return;
  }
  event.respondWith(fetch(request).catch(offlinePage));
});

function offlinePage() {
  var html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>无网络 · 矛盾纠纷调解</title></head>' +
    '<body style="font-family:sans-serif;padding:1.5rem;line-height:1.6">' +
    '<h1 style="font-size:1.3rem">当前没有网络</h1>' +
    '<p>此页面需要网络。无信号时仍可<a href="/cases/new/">登记纠纷</a>：' +
    '登记保存在本机，恢复信号后自动发送。</p>' +
    '<p><a href="/queue/">我的待办</a></p></body></html>';
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
  });
}

// The one service worker of the pages that work without a network (frontline's visit form, patrols' record
// page): those pages and the assets they need are kept, so they open offline. Served by
// core.offline.service_worker_response under each module's own path, which puts `self.SHOUZHAN`
// ({name, version, pages, assets}) above this file. Pages: the network first (a fresh CSRF token and
// fresh lists), the cache when offline.
// Assets: the cache first, refreshed in the background. Nothing else is touched (POSTs go to the network).
"use strict";

var CONFIG = self.SHOUZHAN || { name: "offline", version: "0", pages: [], assets: [] };
var PREFIX = "shouzhan-" + CONFIG.name + "-";
var CACHE = PREFIX + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // Pages one by one: a page that answers with the login form is not kept.
      return cache.addAll(CONFIG.assets).then(function () {
        return Promise.all(CONFIG.pages.map(function (url) { return keepPage(cache, url, url); }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf(PREFIX) === 0 && n !== CACHE;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepPage(cache, request, key) {
  return fetch(request, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) {
      return cache.put(key, response.clone()).then(function () { return response; });
    }
    return response;
  });
}

function isPage(url) { return CONFIG.pages.indexOf(url.pathname) >= 0; }
function isAsset(url) { return CONFIG.assets.indexOf(url.pathname) >= 0; }

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return keepPage(cache, request, url.pathname).catch(function () {
          return cache.match(url.pathname).then(function (hit) { return hit || Response.error(); });
        });
      })
    );
    return;
  }
  if (isAsset(url)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) {
          var fresh = fetch(request).then(function (response) {
            if (response.ok) { cache.put(url.pathname, response.clone()); }
            return response;
          });
          if (hit) { fresh.catch(function () { return null; }); return hit; }
          return fresh;
        });
      })
    );
  }
});

// Recording a patrol on a phone, with or without a network.
//
// Start keeps the patrol being walked in this browser's IndexedDB with its own key (crypto.randomUUID):
// every GPS fix from watchPosition ([lat, lon, unix seconds, accuracy]) is written as it comes, and so is
// every check-in (a checkpoint's QR code read by community's camera scanner, or a fix within the route's
// radius of it), observation, photo (downscaled to 1600 px JPEG) and hazard — a reload or a flat battery
// loses nothing, and the patrol goes on after a reload. Stop moves it to the outbox, which is sent to the
// server (JSON, `Idempotency-Key` = the patrol's key) on page load and whenever `online` fires; sent twice
// after a lost answer, the server finds the first one, so nothing is recorded twice. A patrol the server
// refuses stays in the outbox with the server's words until the user deletes it. The store and the outbox are
// record_outbox.js.
(function () {
  "use strict";

  var MAX_SIDE = 1600;
  var TRACK_MAX = 20000;
  var PHOTOS_MAX = 12;
  var ACCURACY_MAX_M = 100;  // as the server measures: less precise fixes are kept but not measured
  var EARTH_RADIUS_M = 6371008.8;
  var root = document.getElementById("patrol");
  var box = document.getElementById("outbox");
  if (!root || !box) { return; }
  var words = box.dataset;
  var me = root.dataset.user || "";
  var targets = JSON.parse(document.getElementById("patrol-targets").textContent || "[]");
  var cur = null;  // the patrol being walked (its track apart, in `track`)
  var track = [];
  var distance = 0;
  var lastFix = null;
  var watchId = null;
  var ticker = null;
  var finishedHere = false;

  function $(id) { return document.getElementById(id); }

  function t(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_m, k) {
      return values && values[k] !== undefined ? values[k] : "";
    });
  }

  function errorsShow(messages) {
    var el = $("patrol-errors");
    el.textContent = messages.join(" ");
    el.hidden = !messages.length;
  }

  if (!window.indexedDB || !window.fetch || !window.Promise) { errorsShow([words.storage]); return; }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function now() { return Date.now(); }
  function iso(ms) { return new Date(ms).toISOString(); }

  var store = window.ShouzhanPatrols;  // record_outbox.js
  if (!store) { return; }
  var run = store.run;
  var sent = store.outbox({ box: box, root: root, me: me, t: t });
  function last(text) { sent.last(text); }
  function flush() { return sent.flush(); }
  function show() { return sent.show(); }

  function mine(rows) { return (rows || []).filter(function (r) { return (r.user || "") === me; }); }
  function putCurrent() {
    return run(["current"], "readwrite", function (tx) { tx.objectStore("current").put(cur); })
      .catch(function () { errorsShow([words.storage]); });
  }

  // ------------------------------------------------------------------------------------- distance
  function rad(d) { return d * Math.PI / 180; }
  function haversine(lat1, lon1, lat2, lon2) {
    var a = Math.pow(Math.sin(rad(lat2 - lat1) / 2), 2) +
      Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.pow(Math.sin(rad(lon2 - lon1) / 2), 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, Math.max(0, a))));
  }

  function walked(points) {  // the length walked: imprecise fixes and impossible jumps left out
    var total = 0;
    var prev = null;
    points.forEach(function (p) {
      if (p.length > 3 && p[3] > ACCURACY_MAX_M) { return; }
      if (prev) {
        var m = haversine(prev[0], prev[1], p[0], p[1]);
        var s = p[2] - prev[2];
        if (!(m > 200 && (s <= 0 || m / s * 3.6 > 150))) { total += m; }
      }
      prev = p;
    });
    return total;
  }

  // ------------------------------------------------------------------------------------- what the page shows
  function targetById(id) {
    for (var i = 0; i < targets.length; i++) { if (targets[i].id === Number(id)) { return targets[i]; } }
    return null;
  }
  function currentTarget() { return cur ? targetById(cur.target_id) : targetById($("id_target").value); }
  function checkedIn(code) { return cur && cur.checkins.some(function (c) { return c.code === code; }); }

  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var v = { h: h, m: Math.floor(s % 3600 / 60), s: s % 60 };
    return h ? t(words.elapsed, v) : t(words.elapsedShort, v);
  }

  function metres(m) {
    return m < 1000 ? t(words.metres, { m: Math.round(m) }) : t(words.kilometres, { km: (m / 1000).toFixed(2) });
  }

  function stats() {
    var target = currentTarget();
    if (!cur || !target) { return; }
    $("stat-time").textContent = elapsed(now() - cur.started_ms);
    $("stat-distance").textContent = metres(distance);
    $("stat-checkins").textContent = t(words.of, { n: cur.checkins.length, of: target.checkpoints.length });
    $("stat-points").textContent = String(track.length);
  }

  function checkpointsShow() {
    var list = $("checkpoint-list");
    var target = currentTarget();
    list.textContent = "";
    (target ? target.checkpoints : []).forEach(function (p) {
      var li = document.createElement("li");
      var done = checkedIn(p.code);
      var state = document.createElement("span");
      state.className = "state";
      state.textContent = done ? "✓ " + words.checkpointDone : words.checkpointOpen;
      li.className = done ? "done" : "";
      li.append(document.createTextNode(p.name), state);
      list.appendChild(li);
    });
  }

  function hazardsShow() {
    var list = $("hazard-list");
    list.textContent = "";
    (cur ? cur.hazards : []).forEach(function (h) {
      var li = document.createElement("li");
      var bits = [h.description];
      if (h.urgent) { bits.push(words.urgent); }
      if (h.photos.length) { bits.push(t(words.hazardPhotos, { n: h.photos.length })); }
      li.textContent = bits.join(" · ");
      list.appendChild(li);
    });
  }

  function photosCount() {
    if (!cur) { return 0; }
    return cur.photos.length + cur.hazards.reduce(function (n, h) { return n + h.photos.length; }, 0);
  }

  function render() {
    var walking = Boolean(cur);
    $("patrol-choose").hidden = walking;
    ["patrol-walking", "patrol-checkin", "patrol-details", "patrol-hazard", "patrol-stop-box"].forEach(function (id) {
      $(id).hidden = !walking;
    });
    if (walking) {
      $("id_target").value = String(cur.target_id);
      $("walking-title").textContent = t(words.walking, { target: cur.target_name });
      document.querySelectorAll("[data-observation]").forEach(function (el) {
        el.value = cur.observations[el.dataset.observation] || "";
      });
      $("id_notes").value = cur.notes || "";
      $("photos-status").textContent = cur.photos.length ? t(words.photosCount, { n: cur.photos.length }) : "";
    }
    checkpointsShow();
    hazardsShow();
    stats();
  }

  function say(id, text) { $(id).textContent = text; }

  // ------------------------------------------------------------------------------------- the walk
  function onFix(pos) {
    if (!cur) { return; }
    var c = pos.coords;
    var point = [Number(c.latitude.toFixed(6)), Number(c.longitude.toFixed(6)), Math.round(now() / 100) / 10,
      Math.round((c.accuracy || 0) * 10) / 10];
    lastFix = point;
    say("geo-status", t(words.geoFix, { m: Math.round(c.accuracy || 0) }));
    var prev = track[track.length - 1];
    if (prev && point[2] <= prev[2]) { return; }  // the same instant again: the track keeps the first
    track.push(point);
    distance = walked(track);
    stats();
    var key = cur.client_key;
    run(["points"], "readwrite", function (tx) { tx.objectStore("points").add({ k: key, p: point }); })
      .catch(function () { errorsShow([words.storage]); });
  }

  function onGeoError(error) {
    if (error.code === 3) { return; }  // no fix yet: the watch goes on
    say("geo-status", t(words.geoFailed, { e: error.message || "" }));
  }

  function watch() {
    if (!navigator.geolocation) { say("geo-status", words.geoNone); return; }
    say("geo-status", words.geoWait);
    watchId = navigator.geolocation.watchPosition(onFix, onGeoError, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
    ticker = window.setInterval(stats, 1000);
  }

  function unwatch() {
    if (watchId !== null) { navigator.geolocation.clearWatch(watchId); watchId = null; }
    if (ticker !== null) { window.clearInterval(ticker); ticker = null; }
  }

  function start() {
    var target = currentTarget();
    if (!target) { return; }
    if (!navigator.geolocation) { errorsShow([words.geoNone]); return; }
    var at = now();
    cur = {
      client_key: newKey(), user: me, target_id: target.id, target_name: target.name, started_at: iso(at),
      started_ms: at, checkins: [], hazards: [], photos: [], observations: {}, notes: ""
    };
    track = [];
    distance = 0;
    lastFix = null;
    errorsShow([]);
    $("patrol-result").hidden = true;
    putCurrent().then(function () {
      // The camera scanner reads each code once a page: a second patrol starts on a fresh page.
      if (finishedHere) { window.location.reload(); return; }
      render();
      watch();
    });
  }

  function resume() {
    return run(["current"], "readonly", function (tx) { return tx.objectStore("current").getAll(); }).then(function (rows) {
      var found = mine(rows)[0];
      if (!found || !targetById(found.target_id)) { render(); return; }
      cur = found;
      return run(["points"], "readonly", function (tx) {
        return tx.objectStore("points").index("patrol").getAll(cur.client_key);
      }).then(function (points) {
        track = (points || []).map(function (row) { return row.p; });
        lastFix = track[track.length - 1] || null;
        distance = walked(track);
        render();
        watch();
        say("geo-status", words.resumed);
      });
    }).catch(function () { errorsShow([words.storage]); });
  }

  // ------------------------------------------------------------------------------------- check-ins
  function checkin(point, method) {
    if (!cur) { say("checkin-status", words.notWalking); return false; }
    if (checkedIn(point.code)) { say("checkin-status", t(words.already, { name: point.name })); return false; }
    cur.checkins.push({ code: point.code, name: point.name, at: iso(now()), method: method });
    putCurrent();
    checkpointsShow();
    stats();
    say("checkin-status", t(words.checked, { name: point.name, method: method === "near" ? words.methodNear : words.methodQr }));
    return true;
  }

  function onCode(event) {
    event.preventDefault();
    var form = event.target;
    var input = form.elements.code;
    var code = String(input.value || "").trim();
    input.value = "";
    var target = currentTarget();
    if (!code || !target) { return; }
    var point = target.checkpoints.filter(function (p) { return p.code === code; })[0];
    if (!point) { say("checkin-status", t(words.notHere, { target: target.name })); return; }
    if (checkin(point, "qr") && form.dataset.camera === "on") {
      var stop = document.querySelector("[data-scan-stop]");
      if (stop) { stop.click(); }  // one checkpoint a scan: the chief walks on to the next
    }
  }

  function near() {
    var target = currentTarget();
    if (!cur || !target) { say("checkin-status", words.notWalking); return; }
    if (!lastFix) { say("checkin-status", words.noFix); return; }
    var best = null;
    target.checkpoints.forEach(function (p) {
      if (checkedIn(p.code)) { return; }
      var d = haversine(lastFix[0], lastFix[1], p.lat, p.lon);
      if (!best || d < best.d) { best = { p: p, d: d }; }
    });
    if (!best) { say("checkin-status", words.allDone); return; }
    if (best.d <= target.radius) { checkin(best.p, "near"); return; }
    say("checkin-status", t(words.tooFar, { name: best.p.name, m: Math.round(best.d), r: target.radius }));
  }

  // ------------------------------------------------------------------------------------- photos, details, hazards
  function downscale(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = function () { reject(file.name); };
      reader.onload = function () {
        var img = new Image();
        img.onerror = function () { reject(file.name); };
        img.onload = function () {
          var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
          var canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
          canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          var url = canvas.toDataURL("image/jpeg", 0.85);
          resolve({ name: file.name.replace(/\.[^.]*$/, "") + ".jpg", data_base64: url.slice(url.indexOf(",") + 1) });
        };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function photosRead(input, status) {
    var files = Array.prototype.slice.call(input.files || []);
    if (photosCount() + files.length > PHOTOS_MAX) {
      say(status, t(words.tooMany, { n: PHOTOS_MAX }));
      input.value = "";
      return Promise.reject(null);
    }
    return Promise.all(files.map(downscale)).then(function (photos) {
      input.value = "";
      return photos;
    }, function (name) {
      input.value = "";
      say(status, t(words.notPhoto, { name: name }));
      throw null;
    });
  }

  function detailsSave() {
    if (!cur) { return Promise.resolve(); }
    document.querySelectorAll("[data-observation]").forEach(function (el) {
      if (el.value) { cur.observations[el.dataset.observation] = el.value; } else { delete cur.observations[el.dataset.observation]; }
    });
    cur.notes = $("id_notes").value.trim();
    return putCurrent();
  }

  function onPhotos() {
    if (!cur) { return; }
    photosRead($("id_photos"), "photos-status").then(function (photos) {
      cur.photos = cur.photos.concat(photos);
      say("photos-status", t(words.photosCount, { n: cur.photos.length }));
      return putCurrent();
    }, function () { /* said */ });
  }

  function hazardAdd() {
    if (!cur) { return; }
    var description = $("id_hazard_description").value.trim();
    if (!description) { say("hazard-status", words.needDescription); return; }
    photosRead($("id_hazard_photos"), "hazard-status").then(function (photos) {
      cur.hazards.push({
        client_key: newKey(), category: $("id_hazard_category").value || "water", description: description,
        urgent: $("id_hazard_urgent").checked, latitude: lastFix ? String(lastFix[0]) : "",
        longitude: lastFix ? String(lastFix[1]) : "", observed_at: iso(now()), photos: photos
      });
      $("id_hazard_description").value = "";
      $("id_hazard_urgent").checked = false;
      say("hazard-status", t(words.hazardAdded, { d: description }));
      hazardsShow();
      return putCurrent();
    }, function () { /* said */ });
  }

  // ------------------------------------------------------------------------------------- stop
  function thinned(points) {
    if (points.length <= TRACK_MAX) { return points; }
    var step = Math.ceil(points.length / (TRACK_MAX - 1));
    var kept = points.filter(function (_p, i) { return i % step === 0; });
    kept.push(points[points.length - 1]);
    return kept;
  }

  function payload(endedMs) {
    var photos = cur.photos.slice();
    var hazards = cur.hazards.map(function (h) {
      var indexes = h.photos.map(function (p) { photos.push(p); return photos.length - 1; });
      return {
        client_key: h.client_key, category: h.category, description: h.description, urgent: h.urgent,
        latitude: h.latitude, longitude: h.longitude, observed_at: h.observed_at, photos: indexes
      };
    });
    return {
      client_key: cur.client_key, target_id: cur.target_id, started_at: cur.started_at, ended_at: iso(endedMs),
      track: thinned(track),
      checkins: cur.checkins.map(function (c) { return { code: c.code, at: c.at, method: c.method }; }),
      observations: cur.observations, notes: cur.notes, hazards: hazards, photos: photos
    };
  }

  function stop() {
    if (!cur || !window.confirm(words.confirmStop)) { return; }
    detailsSave().then(function () {
      unwatch();
      var ended = now();
      var key = cur.client_key;
      var record = {
        client_key: key, created_at: iso(ended), user: me, status: "pending", message: "",
        summary: t(words.summary, { target: cur.target_name, start: new Date(cur.started_ms).toLocaleString(), points: track.length }),
        payload: payload(ended)
      };
      return run(["current", "points", "outbox"], "readwrite", function (tx) {
        tx.objectStore("outbox").put(record);
        tx.objectStore("current").delete(key);
        var points = tx.objectStore("points");
        points.index("patrol").openKeyCursor(IDBKeyRange.only(key)).onsuccess = function (event) {
          var cursor = event.target.result;
          if (cursor) { points.delete(cursor.primaryKey); cursor.continue(); }
        };
      }).then(function () {
        cur = null;
        track = [];
        distance = 0;
        finishedHere = true;
        render();
        last(words.saved);
        window.scrollTo(0, 0);
        return flush();
      });
    }).catch(function () { errorsShow([words.storage]); });
  }

  // ------------------------------------------------------------------------------------- start
  $("patrol-start").addEventListener("click", start);
  $("patrol-stop").addEventListener("click", stop);
  $("id_target").addEventListener("change", checkpointsShow);
  $("checkin-form").addEventListener("submit", onCode);
  $("checkin-near").addEventListener("click", near);
  $("hazard-add").addEventListener("click", hazardAdd);
  $("id_photos").addEventListener("change", onPhotos);
  $("patrol-details").addEventListener("change", function (event) {
    if (event.target.id !== "id_photos") { detailsSave(); }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swUrl.replace(/sw\.js$/, "") })
      .catch(function () { /* the page still works online without it */ });
  }
  resume().then(function () { return show(); }).then(flush);
})();

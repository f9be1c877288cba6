// The visit form on a phone, with or without a network.
//
// Submitting the form keeps the record in this browser's outbox (IndexedDB) with its own key
// (crypto.randomUUID) for the visit and each demand, photos downscaled to 1600 px JPEG; then the outbox is
// sent to the server (JSON, one record at a time, `Idempotency-Key` = the record's key). Sent twice after
// a lost answer, the server finds the first one: nothing is recorded twice. A record the server refuses
// stays in the outbox, marked with the server's words, until the user puts it back in the form or deletes
// it: nothing is dropped silently. The outbox is sent on page load and whenever `online` fires.
(function () {
  "use strict";

  var DB_NAME = "shouzhan-frontline";
  var STORE = "outbox";
  var MAX_SIDE = 1600;
  var form = document.getElementById("visit-form");
  var box = document.getElementById("outbox");
  if (!form || !box || !window.indexedDB || !window.fetch) { return; }

  var words = box.dataset;
  var syncUrl = form.dataset.syncUrl;
  var me = form.dataset.user || "";  // a record is sent only by the account that made it
  var sending = false;

  function t(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_m, k) {
      return values && values[k] !== undefined ? values[k] : "";
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ------------------------------------------------------------------------------------- the outbox
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function allRecords() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (r) { return (r.user || "") === me; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }
  function putRecord(record) { return withStore("readwrite", function (store) { store.put(record); }); }
  function deleteRecord(key) { return withStore("readwrite", function (store) { store.delete(key); }); }

  // ------------------------------------------------------------------------------------- what the page says
  function show() {
    return allRecords().then(function (rows) {
      box.hidden = false;
      var pending = rows.filter(function (r) { return r.status !== "refused"; });
      var demands = pending.reduce(function (n, r) { return n + r.payload.demands.length; }, 0);
      document.getElementById("outbox-count").textContent = pending.length
        ? t(words.pending, { n: pending.length }) + (demands ? t(words.pendingDemands, { m: demands }) : "")
        : words.empty;
      var note = document.getElementById("outbox-note");
      note.textContent = pending.length && !navigator.onLine ? words.offline : (pending.length && pending[0].message) || "";
      var list = document.getElementById("outbox-refused");
      list.textContent = "";
      rows.filter(function (r) { return r.status === "refused"; }).forEach(function (r) { list.appendChild(refusedItem(r)); });
    });
  }

  function refusedItem(record) {
    var li = document.createElement("li");
    var p = document.createElement("p");
    p.textContent = t(words.failed) + record.message;
    var what = document.createElement("p");
    what.className = "muted small";
    what.textContent = record.summary;
    var back = button(words.retry, function () { refill(record); });
    var drop = button(words.delete, function () {
      if (window.confirm(words.confirmDelete)) { deleteRecord(record.client_key).then(show); }
    });
    li.append(p, what, back, document.createTextNode(" "), drop);
    return li;
  }

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function last(text, links) {
    var el = document.getElementById("outbox-last");
    el.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    el.appendChild(p);
    if (links && links.length) {
      var ul = document.createElement("ul");
      links.forEach(function (d) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = d.url;
        a.textContent = d.title;
        li.append(a, document.createTextNode(" → " + d.department + (d.accept_due_on ? "（" + d.accept_due_on + "）" : "")));
        ul.appendChild(li);
      });
      el.appendChild(ul);
    }
  }

  function errorsShow(messages) {
    var el = document.getElementById("visit-errors");
    el.textContent = messages.join(" ");
    el.hidden = !messages.length;
    if (messages.length) { el.scrollIntoView({ block: "center" }); }
  }

  // ------------------------------------------------------------------------------------- sending
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function sendOne(record) {
    return fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": record.client_key
      },
      body: JSON.stringify(record.payload)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).then(function (answer) {
        if (response.status === 200 || response.status === 201) {
          return deleteRecord(record.client_key).then(function () {
            last(t(words.sent) + "：" + (answer.message || ""), answer.demands);
          });
        }
        record.message = response.status === 401 ? words.login : json && answer.message ? answer.message : words.server;
        // A refusal in words (bad input, too large, not allowed) waits for the user; anything else is retried.
        if (json && [400, 403, 409, 413].indexOf(response.status) >= 0) { record.status = "refused"; }
        return putRecord(record).then(function () {
          if (record.status !== "refused") { last(t(words.failed) + record.message); }
        });
      });
    });
  }

  function flush() {
    if (sending) { return show(); }
    sending = true;
    return allRecords().then(function (rows) {
      var pending = rows.filter(function (r) { return r.status !== "refused"; });
      if (!pending.length || !navigator.onLine) { return; }
      last(words.sending);
      return pending.reduce(function (chain, record) {
        return chain.then(function () { return sendOne(record); });
      }, Promise.resolve());
    }).catch(function () {
      last(t(words.failed) + words.network);
    }).then(function () {
      sending = false;
      return show();
    });
  }

  // ------------------------------------------------------------------------------------- photos
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

  // ------------------------------------------------------------------------------------- the form
  function value(name) {
    var el = form.elements[name];
    return el ? String(el.value || "").trim() : "";
  }

  function enterpriseId(name) {
    var options = document.querySelectorAll("#enterprise-names option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === name) { return options[i].dataset.id; }
    }
    return "";
  }

  function demandRows() {
    return Array.prototype.slice.call(form.querySelectorAll("#demand-rows .demand-row"));
  }

  function rowValue(row, field) {
    var el = row.querySelector("[name$='-" + field + "']");
    return el ? String(el.value || "").trim() : "";
  }

  function collect() {
    var errors = [];
    var today = new Date();
    var iso = today.getFullYear() + "-" + ("0" + (today.getMonth() + 1)).slice(-2) + "-" + ("0" + today.getDate()).slice(-2);
    var visitedOn = value("visited_on") || iso;
    if (visitedOn > iso) { errors.push(words.future); }
    var enterprise = value("enterprise");
    var place = value("place");
    var target = value("target");
    if (!enterprise && !place && !target) { errors.push(words.subject); }
    var demands = [];
    demandRows().forEach(function (row) {
      var d = {
        client_key: rowValue(row, "client_key") || newKey(),
        category: rowValue(row, "category"),
        description: rowValue(row, "description"),
        urgency: rowValue(row, "urgency") || "normal",
        requester_name: rowValue(row, "requester_name"),
        place: place
      };
      if (!d.category && !d.description && !d.requester_name) { return; }
      var n = demands.length + 1;
      if (!d.category) { errors.push(t(words.needCategory, { n: n })); }
      if (!d.description) { errors.push(t(words.needDescription, { n: n })); }
      demands.push(d);
    });
    var id = enterprise ? enterpriseId(enterprise) : "";
    var payload = {
      client_key: form.dataset.clientKey || newKey(),
      visited_on: visitedOn,
      enterprise_id: id ? Number(id) : null,
      enterprise_name: id ? "" : enterprise,
      place: place,
      met: value("met"),
      notes: value("notes"),
      latitude: value("latitude"),
      longitude: value("longitude"),
      accuracy_m: value("accuracy_m"),
      target_id: target ? Number(target) : null,
      demands: demands,
      photos: []
    };
    return { payload: payload, errors: errors };
  }

  function summary(payload, label) {
    return [payload.visited_on, label, payload.met].filter(Boolean).join(" · ");
  }

  function reset() {
    form.reset();
    delete form.dataset.clientKey;
    demandRows().slice(1).forEach(function (row) { row.remove(); });
    form.elements["demands-TOTAL_FORMS"].value = "1";
    ["latitude", "longitude", "accuracy_m"].forEach(function (n) { form.elements[n].value = ""; });
    document.getElementById("geo-status").textContent = "";
  }

  function refill(record) {
    var p = record.payload;
    reset();
    form.dataset.clientKey = record.client_key;
    form.elements.visited_on.value = p.visited_on;
    form.elements.enterprise.value = p.enterprise_name || (function () {
      var o = document.querySelector("#enterprise-names option[data-id='" + p.enterprise_id + "']");
      return o ? o.value : "";
    })();
    ["place", "met", "notes", "latitude", "longitude", "accuracy_m"].forEach(function (n) { form.elements[n].value = p[n] || ""; });
    if (form.elements.target) { form.elements.target.value = p.target_id || ""; }
    p.demands.forEach(function (d, i) {
      var row = i === 0 ? demandRows()[0] : addRow();
      ["category", "description", "urgency", "requester_name", "client_key"].forEach(function (f) {
        var el = row.querySelector("[name$='-" + f + "']");
        if (el) { el.value = d[f] || ""; }
      });
    });
    form.dataset.keepPhotos = JSON.stringify(p.photos || []);
    errorsShow([t(words.failed) + record.message]);
    deleteRecord(record.client_key).then(show);
  }

  function addRow() {
    var total = form.elements["demands-TOTAL_FORMS"];
    var max = Number(form.elements["demands-MAX_NUM_FORMS"].value || 20);
    var n = Number(total.value);
    if (n >= max) { return demandRows()[n - 1]; }
    var html = document.getElementById("demand-empty").innerHTML.replace(/__prefix__/g, String(n));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    row.querySelector(".demand-n").textContent = String(n + 1);
    document.getElementById("demand-rows").appendChild(row);
    total.value = String(n + 1);
    return row;
  }

  function onSubmit(event) {
    if (event.submitter && event.submitter.name === "more") { return; }
    event.preventDefault();
    var found = collect();
    var input = form.elements.photos;
    var files = Array.prototype.slice.call(input.files || []);
    var kept = form.dataset.keepPhotos ? JSON.parse(form.dataset.keepPhotos) : [];
    var max = Number(input.dataset.max || 6);
    if (files.length + kept.length > max) { found.errors.push(t(words.tooMany, { n: max })); }
    if (found.errors.length) { errorsShow(found.errors); return; }
    Promise.all(files.map(downscale)).then(function (photos) {
      found.payload.photos = kept.concat(photos);
      var label = found.payload.enterprise_name || value("enterprise") || found.payload.place;
      var record = {
        client_key: found.payload.client_key,
        created_at: new Date().toISOString(),
        user: me,
        status: "pending",
        message: "",
        summary: summary(found.payload, label),
        payload: found.payload
      };
      return putRecord(record).then(function () {
        delete form.dataset.keepPhotos;
        errorsShow([]);
        reset();
        last(words.saved);
        window.scrollTo(0, 0);  // what was kept and what waits, at the top where the user sees it
        return flush();
      }, function () {
        errorsShow([words.storage]);
        form.submit();  // the browser cannot keep it: send it as a plain form instead
      });
    }, function (name) {
      errorsShow([t(words.notPhoto, { name: name })]);
    });
  }

  function locate() {
    var status = document.getElementById("geo-status");
    status.textContent = words.geoWait;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.latitude.value = pos.coords.latitude.toFixed(6);
      form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy_m.value = String(Math.round(pos.coords.accuracy || 0));
      status.textContent = t(words.geoDone, { m: Math.round(pos.coords.accuracy || 0) });
    }, function (error) {
      status.textContent = t(words.geoFailed, { e: error.message || "" });
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function onTarget() {
    var data = JSON.parse(document.getElementById("visit-targets").textContent || "[]");
    var chosen = Number(form.elements.target.value);
    data.forEach(function (row) {
      if (row[0] !== chosen) { return; }
      if (!value("enterprise") && row[1]) { form.elements.enterprise.value = row[1]; }
      if (!value("place") && row[2]) { form.elements.place.value = row[2]; }
    });
  }

  // ------------------------------------------------------------------------------------- start
  form.addEventListener("submit", onSubmit);
  document.getElementById("demand-add").addEventListener("click", function (event) {
    event.preventDefault();
    var row = addRow();
    var first = row && row.querySelector("select, textarea");
    if (first) { first.focus(); }
  });
  if (form.elements.target) { form.elements.target.addEventListener("change", onTarget); }
  if (navigator.geolocation) {
    var geo = document.getElementById("geo-button");
    geo.hidden = false;
    geo.addEventListener("click", locate);
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  if ("serviceWorker" in navigator && form.dataset.swUrl) {
    navigator.serviceWorker.register(form.dataset.swUrl, { scope: form.dataset.scope.replace(/visits\/$/, "") })
      .catch(function () { /* the form still works online without it */ });
  }
  show().then(flush);
})();

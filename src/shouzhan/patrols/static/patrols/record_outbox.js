// The patrol record page's store and outbox (used by record.js).
//
// One IndexedDB database per browser: `current` (the patrol being walked, one per user), `points` (its GPS
// fixes, one row each as they come, indexed by the patrol's key) and `outbox` (stopped patrols waiting to
// be sent). The outbox is sent one patrol at a time as JSON with `Idempotency-Key` = the patrol's key; a
// patrol the server accepts leaves the outbox and its verdict is shown; one it refuses in words stays,
// marked with the server's words, until the user deletes it; anything else is sent again later.
(function () {
  "use strict";

  var DB_NAME = "shouzhan-patrols";
  // ------------------------------------------------------------------------------------- the phone's store
  var dbPromise = null;
  function openDb() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("current", { keyPath: "client_key" });
        db.createObjectStore("points", { autoIncrement: true }).createIndex("patrol", "k");
        db.createObjectStore("outbox", { keyPath: "client_key" });
      };
      request.onsuccess = function () {
        request.result.onversionchange = function () { request.result.close(); dbPromise = null; };
        resolve(request.result);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function run(stores, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores, mode);
        var out = fn(tx);
        tx.oncomplete = function () { resolve(out && out.readyState !== undefined ? out.result : out); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function outbox(options) {
    var box = options.box;
    var root = options.root;
    var me = options.me;
    var t = options.t;
    var words = box.dataset;
    var sending = false;

    function $(id) { return document.getElementById(id); }
    function mine(rows) { return (rows || []).filter(function (r) { return (r.user || "") === me; }); }

    function outboxRows() {
      return run(["outbox"], "readonly", function (tx) { return tx.objectStore("outbox").getAll(); })
        .then(function (rows) {
          return mine(rows).sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
        });
    }
    function putOutbox(record) { return run(["outbox"], "readwrite", function (tx) { tx.objectStore("outbox").put(record); }); }
    function deleteOutbox(key) { return run(["outbox"], "readwrite", function (tx) { tx.objectStore("outbox").delete(key); }); }

    function last(text) {
      var el = $("outbox-last");
      el.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      el.appendChild(p);
    }

    function button(label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm";
      b.textContent = label;
      b.addEventListener("click", onClick);
      return b;
    }

    function show() {
      return outboxRows().then(function (rows) {
        box.hidden = false;
        var pending = rows.filter(function (r) { return r.status !== "refused"; });
        $("outbox-count").textContent = pending.length ? t(words.pending, { n: pending.length }) : words.empty;
        $("outbox-note").textContent = pending.length && !navigator.onLine ? words.offline : (pending.length && pending[0].message) || "";
        var list = $("outbox-refused");
        list.textContent = "";
        rows.filter(function (r) { return r.status === "refused"; }).forEach(function (r) {
          var li = document.createElement("li");
          var p = document.createElement("p");
          p.textContent = words.failed + r.message;
          var what = document.createElement("p");
          what.className = "muted small";
          what.textContent = r.summary;
          li.append(p, what, button(words.delete, function () {
            if (window.confirm(words.confirmDelete)) { deleteOutbox(r.client_key).then(show); }
          }));
          list.appendChild(li);
        });
      });
    }

    function item(list, text, className) {
      var li = document.createElement("li");
      if (className) { li.className = className; }
      li.textContent = text;
      list.appendChild(li);
      return li;
    }

    function result(answer) {
      $("result-title").textContent = t(words.resultTitle, { target: answer.target });
      $("result-message").textContent = answer.message || "";
      var verdict = $("result-verdict");
      verdict.textContent = "";
      (answer.verdict || []).forEach(function (text, i) { item(verdict, text, answer.verdict_ok[i] ? "" : "bad"); });
      var flags = $("result-flags");
      flags.textContent = "";
      (answer.flags || []).forEach(function (text) { item(flags, text); });
      $("result-flags-box").hidden = !(answer.flags || []).length;
      var hazards = $("result-hazards");
      hazards.textContent = "";
      (answer.hazards || []).forEach(function (h) {
        var li = item(hazards, "");
        var a = document.createElement("a");
        a.href = h.url;
        a.textContent = h.title;
        li.append(a, document.createTextNode(t(words.hazardRow, {
          department: h.department, accept: h.accept_due_on || "—", resolve: h.resolve_due_on || "—"
        })));
      });
      $("result-hazards-box").hidden = !(answer.hazards || []).length;
      $("result-link").href = answer.url;
      $("patrol-result").hidden = false;
    }

    function csrfToken() {
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (match) { return decodeURIComponent(match[1]); }
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function sendOne(record) {
      return fetch(root.dataset.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Idempotency-Key": record.client_key },
        body: JSON.stringify(record.payload)
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve({})).then(function (answer) {
          if (response.status === 200 || response.status === 201) {
            return deleteOutbox(record.client_key).then(function () {
              last(words.sent + "：" + (answer.message || ""));
              result(answer);
            });
          }
          record.message = response.status === 401 ? words.login : json && answer.error ? answer.error : words.server;
          // A refusal in words (bad input, too large, not allowed) waits for the user; anything else is retried.
          if (json && [400, 403, 409, 413].indexOf(response.status) >= 0) { record.status = "refused"; }
          return putOutbox(record).then(function () {
            if (record.status !== "refused") { last(words.failed + record.message); }
          });
        });
      });
    }

    function flush() {
      if (sending) { return show(); }
      sending = true;
      return outboxRows().then(function (rows) {
        var pending = rows.filter(function (r) { return r.status !== "refused"; });
        if (!pending.length || !navigator.onLine) { return; }
        last(words.sending);
        return pending.reduce(function (chain, record) {
          return chain.then(function () { return sendOne(record); });
        }, Promise.resolve());
      }).catch(function () {
        last(words.failed + words.network);
      }).then(function () {
        sending = false;
        return show();
      });
    }


    return { flush: flush, show: show, last: last };
  }

  window.ShouzhanPatrols = { run: run, outbox: outbox };
})();

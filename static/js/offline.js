/* Offline-first intake on the phone (loaded on every page; acts where its elements are):
   - registers the service worker (/sw.js) that keeps the intake form and the queue;
   - the intake form: a fresh token per form (its idempotency key), the submit button
     disabled while sending, and without signal (or when a send gets no answer) the report
     kept in IndexedDB (photos as Blobs) and shown as 待发送 in the outbox of the intake page
     and the queue;
   - the outbox sends what is kept when the signal returns (the online event, every 20 s
     while something waits, each page load), as the same multipart form post with the
     report's key in the Idempotency-Key header: a resend never makes a second case.
   Without this script (or without a service worker) the form posts as a plain form. */
(function () {
  "use strict";

  var DB_NAME = "mediation-outbox";
  var STORE = "intake";
  var SENT_KEPT_MS = 24 * 3600 * 1000;
  var SEND_TIMEOUT_MS = 30000;
  var sending = false;

  /* ------------------------------------------------------------ the service worker */

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!registration.active) return;
      // The page (if it is one that works offline) and the assets it loaded: the worker
      // fetches what it does not keep yet (a first visit was not fetched through it).
      var urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=manifest][href]")
        .forEach(function (el) { urls.push(el.src || el.href); });
      registration.active.postMessage({ type: "cache", urls: urls });
    }).catch(function () { /* the pages work without it */ });
  }

  /* ------------------------------------------------------------ IndexedDB */

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && result.result); };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function allRecords() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return rows || [];
    });
  }

  function putRecord(record) {
    return tx("readwrite", function (store) { return store.put(record); });
  }

  function deleteRecord(key) {
    return tx("readwrite", function (store) { return store.delete(key); });
  }

  /* ------------------------------------------------------------ helpers */

  function currentUser() {
    var el = document.querySelector("[data-user]");
    return el ? el.getAttribute("data-user") : "";
  }

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function timeText(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  /* ------------------------------------------------------------ the outbox list */

  function render() {
    var box = document.querySelector("[data-outbox]");
    if (!box) return Promise.resolve();
    var user = currentUser();
    return allRecords().then(function (rows) {
      rows = rows.filter(function (r) { return r.user === user; });
      rows.sort(function (a, b) { return a.savedAt - b.savedAt; });
      var list = box.querySelector("[data-outbox-list]");
      list.textContent = "";
      rows.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "outbox-item";
        li.setAttribute("data-testid", "outbox-item");
        li.setAttribute("data-key", r.key);
        var title = document.createElement("div");
        title.className = "title";
        title.textContent = r.title || "（未填写简述）";
        var meta = document.createElement("div");
        meta.className = "meta";
        var badge = document.createElement("span");
        badge.setAttribute("data-testid", "outbox-status");
        if (r.status === "sent") {
          badge.className = "badge green";
          badge.textContent = "已发送";
          meta.appendChild(badge);
          var link = document.createElement("a");
          link.href = r.url;
          link.textContent = " " + r.number;
          link.setAttribute("data-testid", "outbox-number");
          meta.appendChild(link);
        } else if (r.status === "refused") {
          badge.className = "badge red";
          badge.textContent = "未能登记";
          meta.appendChild(badge);
          meta.appendChild(document.createTextNode(" " + (r.message || "")));
        } else {
          badge.className = "badge yellow";
          badge.textContent = "待发送";
          meta.appendChild(badge);
          meta.appendChild(document.createTextNode(
            " " + timeText(r.savedAt) + " 保存" + (r.photoCount ? "，含" + r.photoCount + "张照片" : "") +
            (r.note ? "；" + r.note : "")));
        }
        li.appendChild(title);
        li.appendChild(meta);
        if (r.status !== "pending") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "btn secondary small";
          drop.textContent = r.status === "sent" ? "不再显示" : "删除";
          drop.setAttribute("data-outbox-drop", r.key);
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      box.hidden = rows.length === 0;
    }).catch(function () { box.hidden = true; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-outbox-drop]");
    if (!button) return;
    deleteRecord(button.getAttribute("data-outbox-drop")).then(render);
  });

  /* ------------------------------------------------------------ sending */

  function formDataOf(record) {
    var data = new FormData();
    record.entries.forEach(function (entry) {
      if (entry[0] === "csrfmiddlewaretoken") return;
      if (entry[2]) data.append(entry[0], entry[1], entry[2]);
      else data.append(entry[0], entry[1]);
    });
    data.append("csrfmiddlewaretoken", csrfToken());
    return data;
  }

  function sendOne(record) {
    return fetch(record.action, {
      method: "POST",
      body: formDataOf(record),
      credentials: "same-origin",
      redirect: "follow",
      headers: {
        "Accept": "application/json",
        "Idempotency-Key": record.key,
        "X-CSRFToken": csrfToken()
      }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) {
        // Signed out (the sign-in page) or refused by the CSRF check: kept for later.
        record.note = "请重新登录，登录后自动发送";
        record.retryAt = Date.now() + 120000;  // not the photos again every 20 s
        return putRecord(record);
      }
      return response.json().then(function (body) {
        if (response.status === 201) {
          record.status = "sent";
          record.note = "";
          record.number = body.number;
          record.url = body.url;
          record.sentAt = Date.now();
          record.entries = [];  // the photos are on the server now
          return putRecord(record);
        }
        if (response.status >= 500 || response.status === 429) return null;  // retried later
        record.status = "refused";
        record.message = body.detail || "登记信息有误";
        if (body.errors && body.errors.length) {
          record.message += "：" + body.errors.map(function (e) {
            return (e.label ? e.label + "：" : "") + e.message;
          }).join("；");
        }
        return putRecord(record);
      });
    });
  }

  /* `pageLoad`: a page just loaded (perhaps right after signing in again): try everything. */
  function flush(pageLoad) {
    if (sending || navigator.onLine === false || !window.indexedDB) return Promise.resolve();
    sending = true;
    var user = currentUser();
    return allRecords().then(function (rows) {
      var now = Date.now();
      var chain = Promise.resolve();
      rows.forEach(function (r) {
        if (r.status === "sent" && now - (r.sentAt || 0) > SENT_KEPT_MS) {
          chain = chain.then(function () { return deleteRecord(r.key); });
        } else if (r.status === "pending" && r.user === user && user && (pageLoad === true || !(r.retryAt > now))) {
          chain = chain.then(function () { return sendOne(r); });
        }
      });
      return chain;
    }).catch(function () { /* no signal again: the rest waits */ })
      .then(function () { sending = false; return render(); });
  }

  window.addEventListener("online", function () {
    var box = document.querySelector("[data-offline-notice]");
    if (box) box.remove();  // the outbox below says what became of each report
    flush(false);
  });
  setInterval(function () {
    if (document.querySelector("[data-outbox]:not([hidden])")) flush(false);
  }, 20000);

  /* ------------------------------------------------------------ the intake form */

  function saveOffline(form) {
    var entries = [];
    var photos = 0;
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) {
        if (!value.size) return;  // no file chosen
        photos += 1;
        entries.push([name, value, value.name]);
      } else {
        entries.push([name, value]);
      }
    });
    var titleInput = form.querySelector("[name=title]");
    var record = {
      key: form.querySelector("[data-form-token]").value,
      user: currentUser(),
      action: form.getAttribute("action").split("#")[0] || location.pathname,
      title: titleInput ? titleInput.value : "",
      entries: entries,
      photoCount: photos,
      savedAt: Date.now(),
      status: "pending"
    };
    return putRecord(record);
  }

  function notice(form, text) {
    var box = document.querySelector("[data-offline-notice]");
    if (!box) {
      box = document.createElement("p");
      box.className = "offline-notice";
      box.setAttribute("role", "status");
      box.setAttribute("data-offline-notice", "");
      box.setAttribute("data-testid", "offline-notice");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
  }

  function freshForm(form) {
    form.reset();
    form.querySelector("[data-form-token]").value = newToken();
    form.querySelectorAll(".js-error").forEach(function (el) { el.textContent = ""; });
  }

  function setBusy(form, busy) {
    var button = form.querySelector("[type=submit]");
    if (!button) return;
    if (!button.hasAttribute("data-idle-label")) button.setAttribute("data-idle-label", button.textContent);
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
    button.textContent = busy ? (button.getAttribute("data-busy-label") || "正在提交…")
      : button.getAttribute("data-idle-label");
  }

  var form = document.querySelector("[data-intake-form]");
  if (form) {
    // A form served from the phone's copy (or opened again) gets its own key, so two reports
    // made from one kept page are two reports; a form sent back for a correction keeps its own.
    if (form.getAttribute("data-fresh") === "1") {
      form.querySelector("[data-form-token]").value = newToken();
    }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending") === "1") {  // a second tap
        event.preventDefault();
        return;
      }
      if (navigator.onLine === false && window.indexedDB) {
        event.preventDefault();
        if (!form.checkValidity()) {
          form.reportValidity();
          return;
        }
        setBusy(form, true);
        saveOffline(form).then(function () {
          freshForm(form);
          notice(form, "当前无信号：登记已保存在本机（待发送），恢复信号后自动发送。");
          window.scrollTo(0, 0);
          return render();
        }).catch(function () {
          notice(form, "无法保存在本机，请在有信号时再提交。");
        }).then(function () { setBusy(form, false); });
        return;
      }
      // With signal: sent by fetch with the form's key, so that one bar of signal that drops
      // mid-send keeps the report in the outbox instead of an error page. Anything but a new
      // case falls back to the plain form post, which shows the errors with the work kept.
      event.preventDefault();
      form.setAttribute("data-sending", "1");
      setBusy(form, true);
      var plain = function () { HTMLFormElement.prototype.submit.call(form); };
      var controller = window.AbortController ? new AbortController() : null;
      var timer = controller && setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
      fetch(form.getAttribute("action").split("#")[0] || location.pathname, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
        headers: {
          "Accept": "application/json",
          "Idempotency-Key": form.querySelector("[data-form-token]").value,
          "X-CSRFToken": csrfToken()
        }
      }).then(function (response) {
        clearTimeout(timer);
        var type = response.headers.get("Content-Type") || "";
        if (response.status !== 201 || type.indexOf("application/json") < 0) return plain();
        return response.json().then(function (body) { location.assign(body.url); });
      }, function () {
        // No answer (the signal dropped, or too slow): kept on the phone and sent later
        // under the same key, so a case the server did make is not made twice.
        clearTimeout(timer);
        return saveOffline(form).then(function () {
          freshForm(form);
          notice(form, "信号不佳，未能确认提交：登记已保存在本机（待发送），恢复信号后自动发送，不会重复登记。");
          window.scrollTo(0, 0);
          form.removeAttribute("data-sending");
          setBusy(form, false);
          return render();
        }, plain);
      });
    });
    // Back to a page kept by the browser: its button works again (the token stays, so the
    // same report sent again still makes no second case).
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        form.removeAttribute("data-sending");
        setBusy(form, false);
      }
    });
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  }

  /* The town picker: choosing a town narrows the place list to its villages and grids. */
  var townSelect = document.querySelector("[data-origin-town]");
  var origin = document.getElementById("id_origin");
  if (townSelect && origin) {
    var groups = Array.prototype.slice.call(origin.querySelectorAll("optgroup")).map(function (g) {
      return g.cloneNode(true);
    });
    var placeholder = origin.querySelector("option[value='']");
    var chosen = origin.value;
    var show = function (town) {
      var keep = origin.value;
      origin.textContent = "";
      if (placeholder) origin.appendChild(placeholder.cloneNode(true));
      groups.forEach(function (g) {
        if (!town || g.label === town) origin.appendChild(g.cloneNode(true));
      });
      origin.value = keep;
      if (origin.value !== keep) origin.value = "";
    };
    if (chosen) {
      groups.forEach(function (g) {
        if (g.querySelector("option[value='" + chosen + "']")) townSelect.value = g.label;
      });
    }
    show(townSelect.value);
    townSelect.addEventListener("change", function () { show(townSelect.value); });
    townSelect.closest("[data-town-picker]").hidden = false;
  }

  render().then(function () { return flush(true); });
})();

"""The scripts a DApp's page gets (docs/dapp-api.md, docs/host.md): ``window.imapp`` in the page's
own world, and imapp's relay to the Qt channel in an isolated world the page cannot reach. They
talk through DOM events; the relay refuses oversized, too deep and flooding requests in the page's
own process, before anything reaches imapp's GUI thread. No Qt here: strings only."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from appstore.core.host.provider import MAX_REQUEST


def provider_source(methods: Iterable[str], dapp: Mapping[str, Any]) -> str:
    """The page's side, in its own world: defines ``window.imapp`` at document creation. Its
    requests and the answers cross to imapp's isolated world as DOM events (``relay_source``);
    the page never sees the Qt channel."""
    return (PROVIDER_JS.replace("__METHODS__", json.dumps(list(methods)))
            .replace("__DAPP__", json.dumps(dict(dapp))))


def relay_source(qwebchannel_js: str, channel_object: str, ready_event: str) -> str:
    """imapp's side of the page, in an isolated world the page cannot reach: the Qt channel, and
    the relay of the page's requests to it. Oversized requests and floods are answered here, in
    the page's own process, so they cost imapp's GUI thread nothing."""
    return ("(function () {\n" + qwebchannel_js + "\n" + RELAY_JS.replace("__MAX__", str(MAX_REQUEST))
            .replace("__OBJECT__", channel_object).replace("__READY__", ready_event) + "\n})();\n")


# The page's world. Requests go out as "imapp:request" events on the document ("ID:JSON");
# answers come back as "imapp:response" ("ID:JSON"), events as "imapp:event" ("NAME:JSON").
PROVIDER_JS = r"""(function () {
  "use strict";
  const methods = Object.freeze(__METHODS__);
  const dapp = Object.freeze(__DAPP__);
  const pending = new Map();
  const listeners = new Map();
  const doc = document, CE = CustomEvent, on_ = EventTarget.prototype.addEventListener;
  const fire = EventTarget.prototype.dispatchEvent;
  let nextId = 1;
  class ProviderRpcError extends Error {
    constructor(code, message, data) {
      super(message); this.code = code; if (data !== undefined) this.data = data;
    }
  }
  function split(e) {
    const s = e.detail; if (typeof s !== "string") return null;
    const i = s.indexOf(":"); return i < 0 ? null : [s.slice(0, i), s.slice(i + 1)];
  }
  function emit(name, value) {
    for (const fn of (listeners.get(name) || []).slice()) {
      try { fn(value); } catch (e) { console.error(e); }
    }
  }
  on_.call(doc, "imapp:response", function (e) {
    const parts = split(e); if (!parts) return;
    const id = Number(parts[0]), p = pending.get(id); if (!p) return;
    pending.delete(id);
    let answer;
    try { answer = JSON.parse(parts[1]); } catch (x) { answer = {error: {code: -32603, message: "bad"}}; }
    const err = answer.error;
    if (err) p.reject(new ProviderRpcError(err.code, err.message, err.data));
    else p.resolve(answer.result);
  });
  on_.call(doc, "imapp:event", function (e) {
    const parts = split(e); if (!parts) return;
    let value = null; try { value = JSON.parse(parts[1]); } catch (x) {}
    emit(parts[0], value);
  });
  function request(args) {
    return new Promise(function (resolve, reject) {
      if (!args || typeof args !== "object" || typeof args.method !== "string") {
        reject(new ProviderRpcError(-32602, "request takes {method, params}")); return;
      }
      let text;
      const params = args.params === undefined ? [] : args.params;
      try { text = JSON.stringify({method: args.method, params: params}); }
      catch (e) { reject(new ProviderRpcError(-32602, "params must be JSON")); return; }
      const id = nextId++;
      pending.set(id, {resolve: resolve, reject: reject});
      fire.call(doc, new CE("imapp:request", {detail: id + ":" + text}));
    });
  }
  function on(name, fn) {
    if (typeof fn !== "function") return provider;
    if (!listeners.has(name)) listeners.set(name, []);
    listeners.get(name).push(fn); return provider;
  }
  function removeListener(name, fn) {
    const list = listeners.get(name) || []; const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1); return provider;
  }
  const provider = Object.freeze({isImapp: true, methods: methods, dapp: dapp, request: request, on: on,
                                  removeListener: removeListener});
  Object.defineProperty(window, "imapp", {value: provider, writable: false, configurable: false,
                                          enumerable: false});
  window.dispatchEvent(new Event("imapp#initialized"));
})();
"""

# imapp's isolated world: a token bucket a little more generous than the one in Python (which
# decides, and tells the user), so that a flood stops here, in the page's process.
RELAY_JS = r"""
const MAX = __MAX__, MAX_DEPTH = 64, BURST = 45, RATE = 12, PAUSE_MS = 10000;
let bridge = null, queue = [], tokens = BURST, stamp = Date.now(), pausedUntil = 0;
function reply(id, body) {
  document.dispatchEvent(new CustomEvent("imapp:response", {detail: id + ":" + body}));
}
function refuse(id, code, message) {
  reply(id, JSON.stringify({error: {code: code, message: message}}));
}
function tooDeep(s) {  // Qt's JSON parser drops a message nested deeper than it allows
  let depth = 0, inString = false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (inString) { if (c === 92) k++; else if (c === 34) inString = false; }
    else if (c === 34) inString = true;
    else if (c === 91 || c === 123) { if (++depth > MAX_DEPTH) return true; }
    else if (c === 93 || c === 125) depth--;
  }
  return false;
}
document.addEventListener("imapp:request", function (e) {
  const s = e.detail;
  if (typeof s !== "string") return;
  const i = s.indexOf(":"), id = Number(s.slice(0, i));
  if (i < 1 || i > 15 || !Number.isSafeInteger(id) || id < 1) return;
  if (s.length - i - 1 > MAX) {
    refuse(id, -32602, "a request is a JSON object of at most " + MAX + " bytes");
    return;
  }
  if (tooDeep(s)) { refuse(id, -32602, "params are nested more than " + MAX_DEPTH + " levels deep"); return; }
  const now = Date.now();
  if (now >= pausedUntil) {
    tokens = Math.min(BURST, tokens + (now - stamp) * RATE / 1000);
    stamp = now;
    if (tokens < 1) { pausedUntil = now + PAUSE_MS; tokens = BURST; }
  }
  if (now < pausedUntil) {
    refuse(id, 4290, "Too many requests: imapp paused this DApp's wallet requests for " +
                     Math.ceil((pausedUntil - now) / 1000) + " s");
    return;
  }
  tokens -= 1;
  const text = s.slice(i + 1);
  if (bridge) bridge.request(id, text); else queue.push([id, text]);
}, true);
// Qt may hand this world its transport a moment after the document was created (a page of a
// profile already warm): requests wait in the queue meanwhile.
let tries = 0;
(function connect() {
  if (typeof qt === "undefined" || !qt.webChannelTransport) {
    if (++tries < 500) setTimeout(connect, 10);
    return;
  }
  new QWebChannel(qt.webChannelTransport, function (channel) {
    bridge = channel.objects.__OBJECT__;
    bridge.response.connect(reply);
    bridge.wallet_event.connect(function (name, body) {
      document.dispatchEvent(new CustomEvent("imapp:event", {detail: name + ":" + body}));
    });
    for (const [id, text] of queue) bridge.request(id, text);
    queue = [];
    window.dispatchEvent(new Event("__READY__"));
  });
})();
"""

// Served by the e2e test host as /__host/bridge.js (a classic script, loaded before the app). It gives the
// page the same `window.softphone` shape the Electron preload exposes, carried over a WebSocket to the
// real phone core. The host inlines the contract's command and event names in place of the placeholder
// object below, so this file stays free of project imports.
/* global WebSocket, location */
(function () {
  'use strict';
  var names = /*__SOFTPHONE_NAMES__*/ { commands: [], events: [] };
  var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__host/ws');
  ws.binaryType = 'arraybuffer';
  var open = new Promise(function (resolve, reject) {
    ws.addEventListener('open', function () { resolve(); });
    ws.addEventListener('error', function () { reject(new Error('bridge connection failed')); });
  });
  var nextId = 1;
  var pending = new Map();
  var listeners = new Map();
  var binaryListeners = [];
  ws.addEventListener('message', function (ev) {
    if (typeof ev.data !== 'string') {
      binaryListeners.forEach(function (l) { l(ev.data); });
      return;
    }
    var msg = JSON.parse(ev.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
    } else if (msg.event) {
      (listeners.get(msg.event) || []).slice().forEach(function (l) { l(msg.payload); });
    }
  });
  ws.addEventListener('close', function () {
    pending.forEach(function (resolve) { resolve({ ok: false, error: { code: 'unavailable', message: 'bridge closed' } }); });
    pending.clear();
  });
  var commands = {};
  names.commands.forEach(function (name) {
    commands[name] = function (request) {
      return open.then(function () {
        return new Promise(function (resolve) {
          var id = nextId++;
          pending.set(id, resolve);
          ws.send(JSON.stringify({ id: id, name: name, payload: request }));
        });
      });
    };
  });
  window.softphone = Object.freeze({
    host: 'test-host',
    commands: Object.freeze(commands),
    on: function (name, listener) {
      if (names.events.indexOf(name) < 0) throw new Error('unknown event ' + name);
      if (!listeners.has(name)) listeners.set(name, []);
      listeners.get(name).push(listener);
      return function () {
        var list = listeners.get(name) || [];
        var i = list.indexOf(listener);
        if (i >= 0) list.splice(i, 1);
      };
    },
  });
  // Test-host-only audio channel (binary frames); the Electron host uses a MessagePort instead.
  window.__softphoneHostAudio = {
    send: function (buf) { open.then(function () { ws.send(buf); }); },
    onFrame: function (l) { binaryListeners.push(l); },
  };
})();

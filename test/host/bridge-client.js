// Served by the e2e test host as /__host/bridge.js (a classic script, loaded before the app). It gives the
// page the same `window.softphone` shape the Electron preload exposes, carried over a WebSocket to the
// real phone core. The host inlines the contract's command and event names in place of the placeholder
// object below, so this file stays free of project imports.
//
// Call audio (test/host/audio-mux.ts): binary messages carry [type, 0, call-id length (u16 LE), call id,
// payload]. For `open` this script makes a MessageChannel and hands port2 to the app with the same window
// message Electron's preload sends; then it relays the call's link messages between port1 and the socket.
/* global WebSocket, location, MessageChannel */
(function () {
  'use strict';
  var names = /*__SOFTPHONE_NAMES__*/ { commands: [], events: [], audioPortMessage: '' };
  var ws = new WebSocket(
    (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__host/ws',
  );
  ws.binaryType = 'arraybuffer';
  var open = new Promise(function (resolve, reject) {
    ws.addEventListener('open', function () {
      resolve();
    });
    ws.addEventListener('error', function () {
      reject(new Error('bridge connection failed'));
    });
  });
  var nextId = 1;
  var pending = new Map();
  var listeners = new Map();
  ws.addEventListener('message', function (ev) {
    if (typeof ev.data !== 'string') {
      receiveAudio(ev.data);
      return;
    }
    var msg = JSON.parse(ev.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
    } else if (msg.event) {
      (listeners.get(msg.event) || []).slice().forEach(function (l) {
        l(msg.payload);
      });
    }
  });
  ws.addEventListener('close', function () {
    audioPorts.forEach(function (port) {
      port.close();
    });
    audioPorts.clear();
    pending.forEach(function (resolve) {
      resolve({ ok: false, error: { code: 'unavailable', message: 'bridge closed' } });
    });
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

  // ── call audio ──
  var AUDIO_OPEN = 1;
  var AUDIO_MESSAGE = 2;
  var AUDIO_CLOSE = 3;
  var audioPorts = new Map();

  function muxFrame(type, callId, payload) {
    var id = new TextEncoder().encode(callId);
    var body = payload ? new Uint8Array(payload) : new Uint8Array(0);
    var frame = new Uint8Array(4 + id.length + body.length);
    frame[0] = type;
    frame[2] = id.length & 0xff;
    frame[3] = id.length >> 8;
    frame.set(id, 4);
    frame.set(body, 4 + id.length);
    return frame.buffer;
  }

  function receiveAudio(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes.length < 4 || bytes[1] !== 0) return;
    var idLength = bytes[2] | (bytes[3] << 8);
    if (4 + idLength > bytes.length) return;
    var callId = new TextDecoder().decode(bytes.subarray(4, 4 + idLength));
    var port = audioPorts.get(callId);
    if (bytes[0] === AUDIO_OPEN) {
      openAudioPort(callId, JSON.parse(new TextDecoder().decode(bytes.subarray(4 + idLength)) || '{}'));
    } else if (bytes[0] === AUDIO_MESSAGE && port) {
      var payload = buffer.slice(4 + idLength);
      port.postMessage(payload, [payload]);
    } else if (bytes[0] === AUDIO_CLOSE && port) {
      audioPorts.delete(callId);
      port.close();
    }
  }

  function openAudioPort(callId, devices) {
    var previous = audioPorts.get(callId);
    if (previous) previous.close();
    var channel = new MessageChannel();
    audioPorts.set(callId, channel.port1);
    channel.port1.onmessage = function (ev) {
      if (ev.data instanceof ArrayBuffer && ws.readyState === WebSocket.OPEN)
        ws.send(muxFrame(AUDIO_MESSAGE, callId, ev.data));
    };
    // The app's audio controller starts listening while its module runs, which is before DOMContentLoaded
    // (but possibly after readyState left 'loading': module scripts run after parsing).
    whenAppLoaded(function () {
      var announcement = { type: names.audioPortMessage, callId: callId };
      if (devices.inputDeviceId !== undefined) announcement.inputDeviceId = devices.inputDeviceId;
      if (devices.outputDeviceId !== undefined) announcement.outputDeviceId = devices.outputDeviceId;
      window.postMessage(announcement, location.origin, [channel.port2]);
    });
  }

  // This classic script runs in <head>, so DOMContentLoaded is still ahead of it.
  var appLoaded = false;
  var afterAppLoad = [];
  document.addEventListener(
    'DOMContentLoaded',
    function () {
      appLoaded = true;
      afterAppLoad.splice(0).forEach(function (fn) {
        fn();
      });
    },
    { once: true },
  );

  function whenAppLoaded(fn) {
    if (appLoaded) fn();
    else afterAppLoad.push(fn);
  }
})();

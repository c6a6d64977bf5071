/**
 * The end-to-end test host: serves the built renderer (out/renderer) on 127.0.0.1 and bridges the phone
 * contract over a WebSocket on the same origin, through the very `CommandRouter` the Electron IPC uses.
 * Playwright then drives Debian's Chromium against the real core.
 *
 * Call audio rides the same socket as binary messages (audio-mux.ts): `audio.connect(offer)` gives an
 * AudioLink to the page — plug it into a RendererAudioDeviceProvider — and the page's bridge turns it
 * into a MessagePort announced to the app exactly as Electron's preload does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { COMMAND_NAMES, EVENT_NAMES } from '../../src-shared/ipc/index.ts';
import { AUDIO_PORT_WINDOW_MESSAGE, type AudioPortOffer } from '../../src-shared/audio/index.ts';
import { Emitter, type Disposable } from '../../src-shared/util/emitter.ts';
import {
  RendererAudioDeviceProvider,
  followCallAudioFocus,
  type AudioLink,
} from '../../src-main/media/bridge/index.ts';
import { WebSocketAudioMux } from './audio-mux.ts';
import { CommandRouter, type Phone } from '../../src-main/phone/index.ts';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security.ts';
import { mimeType } from '../../src-main/electron/app-protocol.ts';

export interface TestHost {
  url: string;
  audio: TestHostAudio;
  close(): Promise<void>;
}

/** Call audio to the page that connected last (the app opens one socket per page load). */
export interface TestHostAudio {
  /** A link for one call; already closed when no page is connected. */
  connect(offer: AudioPortOffer): AudioLink;
  /** A page connected (or reconnected after a reload): open calls need new links. */
  onPageConnected(listener: () => void): Disposable;
  /**
   * What the desktop app does (electron/audio-channel.ts `useRendererAudio`): the page's microphone and
   * speaker become the phone's call audio, the focus follows the calls, and a reloaded page gets new
   * ports. Answers the provider (one per host; closed with the host).
   */
  useForCalls(): RendererAudioDeviceProvider;
}

export interface TestHostOptions {
  phone: Phone;
  rendererDir?: string;
  port?: number;
}

export const DEFAULT_RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const template = await readFile(path.join(import.meta.dirname, 'bridge-client.js'), 'utf8');
  const placeholder = "/*__SOFTPHONE_NAMES__*/ { commands: [], events: [], audioPortMessage: '' }";
  if (!template.includes(placeholder)) throw new Error('bridge-client.js lost its names placeholder');
  const bridgeSource = template.replace(
    placeholder,
    JSON.stringify({
      commands: COMMAND_NAMES,
      events: EVENT_NAMES,
      audioPortMessage: AUDIO_PORT_WINDOW_MESSAGE,
    }),
  );
  let origin = '';

  const server = createServer((req, res) => void serve(req, res));
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' };
    if (url.pathname === '/__host/bridge.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(bridgeSource);
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    let file = path.resolve(rendererDir, rel);
    if (!file.startsWith(path.resolve(rendererDir) + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    if (path.extname(file) === '') file = path.join(rendererDir, 'index.html');
    try {
      let body: Buffer | string = await readFile(file);
      if (file.endsWith('index.html')) {
        // The bridge must exist before the app's module script runs.
        body = body
          .toString('utf8')
          .replace('<head>', '<head>\n    <script src="/__host/bridge.js"></script>');
      }
      res.writeHead(200, { ...headers, 'content-type': mimeType(file) });
      res.end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  }

  const router = new CommandRouter(options.phone.handlers, {
    isTrustedSender: (s) => s.kind === 'websocket' && s.url === origin,
    onInternalError: (name, error) => console.error(`[test-host] ${name}:`, error),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const sockets = new Set<WebSocket>();
  let audioMux: WebSocketAudioMux | null = null;
  const pageConnected = new Emitter<void>();

  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/__host/ws' || req.headers.origin !== origin) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const mux = new WebSocketAudioMux((bytes) => {
        if (ws.readyState === ws.OPEN) ws.send(bytes);
      });
      audioMux?.close();
      audioMux = mux;
      const sub = options.phone.events.on((e) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: e.name, payload: e.payload }));
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          if (Buffer.isBuffer(data)) mux.receive(data);
          return;
        }
        let msg: { id?: unknown; name?: unknown; payload?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        void router
          .dispatch(msg.name, msg.payload, { kind: 'websocket', url: req.headers.origin })
          .then((result) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, result }));
          });
      });
      ws.on('close', () => {
        sub.dispose();
        sockets.delete(ws);
        mux.close();
        if (audioMux === mux) audioMux = null;
      });
      pageConnected.emit();
    });
  });

  const closedMux = new WebSocketAudioMux(() => {});
  closedMux.close();
  const connectAudio = (offer: AudioPortOffer): AudioLink => (audioMux ?? closedMux).open(offer);
  let callAudio: { provider: RendererAudioDeviceProvider; subscriptions: Disposable[] } | undefined;

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test host did not bind');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/`,
    audio: {
      connect: connectAudio,
      onPageConnected: (listener) => pageConnected.on(listener),
      useForCalls() {
        if (!callAudio) {
          const provider = new RendererAudioDeviceProvider({ connect: connectAudio });
          options.phone.calls.useAudio(provider);
          callAudio = {
            provider,
            subscriptions: [
              followCallAudioFocus(options.phone.events, provider),
              pageConnected.on(() => provider.reconnect()),
            ],
          };
        }
        return callAudio.provider;
      },
    },
    close: async () => {
      for (const subscription of callAudio?.subscriptions ?? []) subscription.dispose();
      callAudio?.provider.close();
      audioMux?.close();
      pageConnected.clear();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

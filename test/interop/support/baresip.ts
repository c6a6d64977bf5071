/**
 * baresip 1.0 as a scripted far-end user agent.
 *
 * One process per UA, configured from files written to a temporary folder (`baresip -f <dir>`), driven
 * through the `ctrl_tcp` module: netstring-framed JSON commands (`{"command":"dial","params":"sip:…",
 * "token":"7"}` → `{"response":true,"ok":true,"data":"…","token":"7"}`) and events
 * (`{"event":true,"class":"call","type":"CALL_ESTABLISHED","peeruri":"…","id":"…","param":"…"}`).
 * The commands are the `menu` module's long commands (dial, accept, hangup, sndcode, hold, resume,
 * transfer…); received DTMF arrives as CALL_DTMF_START (param = the key) / CALL_DTMF_END events.
 *
 * Headless audio: the source is `ausine` (a tone; 48 kHz stereo only), `aufile` (a WAV file — the call
 * ENDS when the file ends, so generate long files; its rate/channels must match ausrc_srate/channels,
 * which are set from the WAV header) or the `echo` module (answers by itself and loops audio back through
 * `aubridge`). The player is ALSA's `null` device. With `record`, the `sndfile` filter writes
 * `dump-<time>-enc.wav` (what baresip sends) and `dump-<time>-dec.wav` (what it receives) per call.
 *
 * Quirks handled here: `net_interface lo` fails, so the UA binds an address; ctrl_tcp accepts one
 * connection; in a network namespace the control port is reached through a tiny Node relay that runs in
 * the namespace and exposes it as a unix socket in the work folder (a file, visible from the host).
 */
import { openSync, readdirSync, readSync, closeSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeNetstring, NetstringDecoder } from './netstring.ts';
import { allocatePorts, allocatePort, releasePort } from './ports.ts';
import { spawnManaged, tail, type ManagedProcess } from './processes.ts';
import { makeWorkDir } from './workdir.ts';

export type BaresipAudio = { kind: 'tone'; hz: number } | { kind: 'file'; path: string } | { kind: 'echo' };

export interface BaresipOptions {
  /** Address of record, e.g. `sip:alice@lab.test`. */
  aor: string;
  password?: string;
  /** Outbound proxy (and so the registrar's address), e.g. `sip:127.0.0.1:5060;transport=udp`. */
  proxy?: string;
  /** Transport of the AOR (default udp). */
  transport?: 'udp' | 'tcp' | 'tls';
  /** Register (default: true when a proxy is given). */
  register?: boolean;
  /** Registration interval in seconds (default 600). */
  regint?: number;
  /** 'auto' answers incoming calls at once (default 'manual'; the echo audio mode answers by itself). */
  answerMode?: 'manual' | 'auto' | 'early';
  /** Audio source (default: 1000 Hz tone). */
  audio?: BaresipAudio;
  /** Record both directions to WAV files in this folder (true = a folder inside the work dir). */
  record?: string | boolean;
  /** Codecs in preference order, baresip names (default ['pcmu', 'pcma']). */
  codecs?: readonly string[];
  /** Media NAT traversal: 'ice' | 'stun' | 'turn' with this server (`stun:host:port`/`turn:…`). */
  mediaNat?: { kind: 'ice' | 'stun' | 'turn'; server: string; user?: string; password?: string };
  /** Media encryption, e.g. 'srtp', 'srtp-mand', 'dtls_srtp'. */
  mediaEncryption?: string;
  /** CA file baresip trusts for SIP over TLS. */
  caFile?: string;
  /**
   * Address to bind SIP/RTP to (default 127.0.0.1; in a namespace its own address, e.g. 10.1.0.2; an
   * IPv6 address such as `::1` without brackets — baresip then prefers IPv6 for media too).
   */
  address?: string;
  /** Run inside this network namespace. */
  netns?: string;
  /**
   * SIP port (UDP/TCP; TLS uses port+1). Default: allocated on loopback; in a namespace 5060, 5062, …
   * for the 1st, 2nd… UA this process starts there (control port 4444, 4445, …).
   */
  sipPort?: number;
  /** RTP port range, e.g. [10000, 10100]. */
  rtpPorts?: readonly [number, number];
  /** Extra account parameters appended verbatim (`;key=value…`). */
  accountParams?: string;
  /** Extra config lines. */
  extraConfig?: readonly string[];
  /** SIP trace in the log (`-s`). Default true: the log is the test's evidence. */
  sipTrace?: boolean;
}

export interface BaresipEvent {
  type: string;
  class: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  /** Call-ID of the call the event belongs to. */
  id?: string;
  param?: string;
  /** Date.now() when received. */
  at: number;
  raw: Record<string, unknown>;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only events at this index of `events` or later (see `mark()`). */
  after?: number;
  /** Extra condition on the event. */
  where?: (event: BaresipEvent) => boolean;
}

export interface Recordings {
  /** What baresip sent (after the source, before encoding), one file per call. */
  sent: string[];
  /** What baresip received (after decoding), one file per call. */
  received: string[];
}

export interface BaresipUa {
  readonly aor: string;
  readonly address: string;
  readonly sipPort: number;
  /** `sip:<user>@<address>:<port>` — to call this UA directly, without a proxy. */
  readonly directUri: string;
  readonly logPath: string;
  readonly recordDir: string | undefined;
  /** The log so far (with the SIP trace unless `sipTrace: false`). */
  log(): string;
  /** Every event so far, in order. */
  readonly events: readonly BaresipEvent[];
  /** Index of the next event (for `waitFor(…, { after })`). */
  mark(): number;
  /**
   * The next event of this type. Successive calls for the same type return successive events (a
   * per-type cursor), so an event that came before the call is not lost. Rejects on timeout or exit.
   */
  waitFor(type: string, options?: WaitOptions): Promise<BaresipEvent>;
  /** Send a ctrl_tcp command (menu long command). */
  command(command: string, params?: string): Promise<BaresipResponse>;
  dial(uri: string): Promise<BaresipResponse>;
  answer(): Promise<BaresipResponse>;
  hangup(): Promise<BaresipResponse>;
  hold(): Promise<BaresipResponse>;
  resume(): Promise<BaresipResponse>;
  /** Blind transfer (REFER) of the current call. */
  transfer(uri: string): Promise<BaresipResponse>;
  /** Send DTMF digits one by one (RFC 4733 events), `gapMs` apart (default 300). */
  sendDtmf(digits: string, gapMs?: number): Promise<void>;
  /** Keys received as DTMF so far (from CALL_DTMF_START events). */
  receivedDtmf(): string;
  /** The recorded WAV files so far (complete only after the call closed). */
  recordings(): Recordings;
  isRunning(): boolean;
  /** SIGTERM (baresip un-registers, then exits), SIGKILL after `graceMs` (default 4000). */
  stop(graceMs?: number): Promise<void>;
  /** Stop and delete the folder. */
  dispose(): Promise<void>;
}

const MODULES_DIR = '/usr/lib/baresip/modules';

const namespaceSlots = new Map<string, number>();

function nextNamespaceSlot(netns: string): number {
  const slot = namespaceSlots.get(netns) ?? 0;
  namespaceSlots.set(netns, slot + 1);
  return slot;
}

export async function startBaresip(options: BaresipOptions): Promise<BaresipUa> {
  const dir = makeWorkDir('baresip');
  const allocated: number[] = [];
  let proc: ManagedProcess | undefined;
  let relay: ManagedProcess | undefined;
  let control: ControlChannel | undefined;
  const cleanup = async (): Promise<void> => {
    control?.close();
    await relay?.stop(500);
    await proc?.stop(0);
    for (const p of allocated) releasePort(p);
    dir.remove();
  };
  try {
    const address = options.address ?? '127.0.0.1';
    const inNamespace = options.netns !== undefined;
    // in a namespace: the k-th UA started there by this process gets SIP 5060+2k and control 4444+k
    const slot = options.netns === undefined ? 0 : nextNamespaceSlot(options.netns);
    let sipPort = options.sipPort;
    if (sipPort === undefined) {
      if (inNamespace) sipPort = 5060 + 2 * slot;
      else {
        sipPort = await allocatePorts({ count: 2, addresses: [address] });
        allocated.push(sipPort, sipPort + 1);
      }
    }
    let ctrlPort: number;
    if (inNamespace) ctrlPort = 4444 + slot;
    else {
      ctrlPort = await allocatePort();
      allocated.push(ctrlPort);
    }
    const recordDir =
      options.record === undefined || options.record === false
        ? undefined
        : options.record === true
          ? dir.file('recordings')
          : options.record;
    if (recordDir) mkdirSync(recordDir, { recursive: true });

    writeFileSync(dir.file('config'), baresipConfig(options, { address, sipPort, ctrlPort, recordDir }));
    // the account is added through ctrl_tcp (`uanew`) once connected, so no event is missed
    writeFileSync(dir.file('accounts'), '');
    writeFileSync(dir.file('contacts'), '');

    const logPath = dir.file('baresip.log');
    proc = spawnManaged({
      name: `baresip ${options.aor}`,
      command: 'baresip',
      args: ['-f', dir.path, ...(options.sipTrace === false ? [] : ['-s'])],
      logPath,
      workDir: dir,
      netns: options.netns,
    });
    await proc.waitForLog(/baresip is ready\./, 15_000);
    // a busy port does not stop baresip (it only drops the module or transport): fail loudly instead
    const busy = /^.*(Address already in use|failed to listen).*$/m.exec(proc.log());
    if (busy) throw new Error(`baresip could not bind: ${busy[0]}`);

    let target: { path: string } | { port: number; host: string };
    if (inNamespace && options.netns !== undefined) {
      const socketPath = dir.file('ctrl.sock');
      relay = spawnManaged({
        name: 'baresip ctrl relay',
        command: process.execPath,
        args: ['-e', CTRL_RELAY_SOURCE, socketPath, String(ctrlPort)],
        logPath: dir.file('relay.log'),
        workDir: dir,
        netns: options.netns,
      });
      await relay.waitForLog(/relay ready/, 10_000);
      target = { path: socketPath };
    } else {
      target = { port: ctrlPort, host: '127.0.0.1' };
    }
    control = await ControlChannel.open(target, proc);
    const channel = control;
    const running = proc;
    const created = await channel.command('uanew', accountLine(options));
    if (!created.ok) throw new Error(`uanew failed: ${created.data}`);

    const user = /^sips?:([^@;>]+)@/i.exec(options.aor)?.[1] ?? 'ua';
    const cursors = new Map<string, number>();
    const ua: BaresipUa = {
      aor: options.aor,
      address,
      sipPort,
      directUri: `sip:${user}@${hostOf(address)}:${sipPort}`,
      logPath,
      recordDir,
      log: () => running.log(),
      get events() {
        return channel.events;
      },
      mark: () => channel.events.length,
      async waitFor(type, wait = {}) {
        const from = wait.after ?? cursors.get(type) ?? 0;
        const event = await channel.waitForEvent(
          (e, index) => index >= from && e.type === type && (wait.where?.(e) ?? true),
          wait.timeoutMs ?? 15_000,
          `${options.aor}: ${type}`,
        );
        cursors.set(type, event.index + 1);
        return event.event;
      },
      command: (command, params) => channel.command(command, params),
      dial: (uri) => channel.command('dial', uri),
      answer: () => channel.command('accept'),
      hangup: () => channel.command('hangup'),
      hold: () => channel.command('hold'),
      resume: () => channel.command('resume'),
      transfer: (uri) => channel.command('transfer', uri),
      async sendDtmf(digits, gapMs = 300) {
        for (const digit of digits) {
          const response = await channel.command('sndcode', digit);
          if (!response.ok) throw new Error(`sndcode ${digit}: ${response.data}`);
          await sleep(gapMs);
        }
      },
      receivedDtmf: () =>
        channel.events
          .filter((e) => e.type === 'CALL_DTMF_START')
          .map((e) => e.param ?? '')
          .join(''),
      recordings() {
        if (!recordDir) throw new Error('this UA does not record');
        const files = readdirSync(recordDir).sort();
        return {
          sent: files.filter((f) => f.endsWith('-enc.wav')).map((f) => `${recordDir}/${f}`),
          received: files.filter((f) => f.endsWith('-dec.wav')).map((f) => `${recordDir}/${f}`),
        };
      },
      isRunning: () => running.isRunning(),
      async stop(graceMs = 4000) {
        channel.close();
        await relay?.stop(500);
        await running.stop(graceMs);
      },
      async dispose() {
        await ua.stop();
        for (const p of allocated) releasePort(p);
        dir.remove();
      },
    };
    return ua;
  } catch (error) {
    const log = proc ? `\n${tail(proc.log())}` : '';
    await cleanup();
    throw error instanceof Error ? new Error(`${error.message}${log}`, { cause: error }) : error;
  }
}

/** The account line: `<sip:alice@lab.test;transport=udp>;auth_pass=…;outbound="…";…`. */
export function accountLine(options: BaresipOptions): string {
  const transport = options.transport ?? 'udp';
  const register = options.register ?? options.proxy !== undefined;
  const params: string[] = [];
  if (options.password !== undefined) params.push(`auth_pass=${options.password}`);
  if (options.proxy) params.push(`outbound="${options.proxy}"`);
  params.push(`regint=${register ? (options.regint ?? 600) : 0}`);
  const audio = options.audio ?? { kind: 'tone', hz: 1000 };
  params.push(`answermode=${audio.kind === 'echo' ? 'manual' : (options.answerMode ?? 'manual')}`);
  params.push(`audio_codecs=${(options.codecs ?? ['pcmu', 'pcma']).join(',')}`);
  if (options.mediaNat) {
    params.push(`medianat=${options.mediaNat.kind}`);
    params.push(`stunserver="${options.mediaNat.server}"`);
    if (options.mediaNat.user !== undefined) params.push(`stunuser=${options.mediaNat.user}`);
    if (options.mediaNat.password !== undefined) params.push(`stunpass=${options.mediaNat.password}`);
  }
  if (options.mediaEncryption) params.push(`mediaenc=${options.mediaEncryption}`);
  params.push('mwi=no');
  const aor = options.aor.replace(/^<|>$/g, '');
  return `<${aor};transport=${transport}>;${params.join(';')}${options.accountParams ?? ''}`;
}

interface ConfigContext {
  address: string;
  sipPort: number;
  ctrlPort: number;
  recordDir: string | undefined;
}

export function baresipConfig(options: BaresipOptions, context: ConfigContext): string {
  const audio = options.audio ?? { kind: 'tone', hz: 1000 };
  const lines: string[] = [
    'poll_method epoll',
    `sip_listen ${hostOf(context.address)}:${context.sipPort}`,
    ...(options.caFile ? [`sip_cafile ${options.caFile}`] : []),
    'call_local_timeout 120',
    'call_max_calls 4',
    'audio_path /usr/share/baresip',
    // baresip reads the first occurrence of a key: the echo mode's aubridge player must be the only one
    `audio_player ${audio.kind === 'echo' ? 'aubridge,echo' : 'alsa,null'}`,
    'audio_alert alsa,null',
    'auplay_srate 48000',
    'auplay_channels 1',
    'audio_level no',
    'rtcp_mux no',
    'jitter_buffer_delay 5-10',
    `net_interface ${context.address}`,
    ...(context.address.includes(':') ? ['net_prefer_ipv6 yes'] : []),
    ...(options.rtpPorts ? [`rtp_ports ${options.rtpPorts[0]}-${options.rtpPorts[1]}`] : []),
    `module_path ${MODULES_DIR}`,
    'module g711.so',
    'module g722.so',
    'module opus.so',
    'module alsa.so',
  ];
  switch (audio.kind) {
    case 'tone':
      if (!(audio.hz >= 10 && audio.hz <= 20000)) throw new Error('ausine takes 10–20000 Hz');
      lines.push(
        'module ausine.so',
        `audio_source ausine,${Math.round(audio.hz)}`,
        'ausrc_srate 48000',
        'ausrc_channels 2',
      );
      break;
    case 'file': {
      const format = readWavFormat(audio.path);
      lines.push(
        'module aufile.so',
        `audio_source aufile,${audio.path}`,
        `ausrc_srate ${format.sampleRate}`,
        `ausrc_channels ${format.channels}`,
      );
      break;
    }
    case 'echo':
      // echo answers by itself and bridges each call's player to its source through aubridge devices
      lines.push('module aubridge.so', 'audio_source aubridge,echo', 'ausrc_srate 48000', 'ausrc_channels 1');
      break;
  }
  if (context.recordDir) lines.push('module sndfile.so', `snd_path ${context.recordDir}`);
  if (options.mediaNat) lines.push('module stun.so', 'module turn.so', 'module ice.so');
  if (options.mediaEncryption) lines.push('module srtp.so', 'module dtls_srtp.so');
  lines.push('module_tmp uuid.so', 'module_tmp account.so', 'module_app menu.so', 'module_app ctrl_tcp.so');
  if (audio.kind === 'echo') lines.push('module_app echo.so');
  lines.push(
    `ctrl_tcp_listen 127.0.0.1:${context.ctrlPort}`,
    'menu_bell no',
    'ringback_disabled yes',
    'statmode_default off',
  );
  lines.push(...(options.extraConfig ?? []));
  return `${lines.join('\n')}\n`;
}

/** An address as the host part of a URI or `host:port` (IPv6 in brackets, RFC 3986 §3.2.2). */
function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Sample rate and channel count from a WAV header (RIFF/WAVE, `fmt ` chunk). */
export function readWavFormat(file: string): { sampleRate: number; channels: number } {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(4096);
    const length = readSync(fd, header, 0, header.length, 0);
    if (header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 8, 12) !== 'WAVE')
      throw new Error(`${file} is not a WAV file`);
    let offset = 12;
    while (offset + 8 <= length) {
      const id = header.toString('ascii', offset, offset + 4);
      const size = header.readUInt32LE(offset + 4);
      if (id === 'fmt ')
        return { channels: header.readUInt16LE(offset + 10), sampleRate: header.readUInt32LE(offset + 12) };
      offset += 8 + size + (size % 2);
    }
    throw new Error(`${file}: no fmt chunk`);
  } finally {
    closeSync(fd);
  }
}

// ───────────────────────────── control channel ─────────────────────────────

/** Relay run inside a namespace: unix socket (argv[1]) ⇄ TCP 127.0.0.1:argv[2]. Retries until baresip listens. */
const CTRL_RELAY_SOURCE = `
const net = require('node:net');
const [socketPath, port] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(Number(port), '127.0.0.1');
  client.pipe(upstream).pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
});
server.listen(socketPath, () => console.log('relay ready'));
process.on('SIGTERM', () => process.exit(0));
`;

class ControlChannel {
  readonly events: BaresipEvent[] = [];
  private readonly decoder = new NetstringDecoder();
  private readonly pending = new Map<
    string,
    { resolve: (response: BaresipResponse) => void; reject: (error: Error) => void }
  >();
  private readonly waiters = new Set<() => void>();
  private readonly socket: Socket;
  private readonly owner: ManagedProcess;
  private nextToken = 1;
  private closed = false;

  private constructor(socket: Socket, owner: ManagedProcess) {
    this.socket = socket;
    this.owner = owner;
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.failPending();
      this.wake();
    });
    socket.on('error', () => {
      // surfaced as 'close'
    });
    void owner.exited.then(() => this.wake());
  }

  static async open(
    target: { path: string } | { port: number; host: string },
    owner: ManagedProcess,
  ): Promise<ControlChannel> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = 'path' in target ? connect(target.path) : connect(target.port, target.host);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const channel = new ControlChannel(socket, owner);
        // a relay accepts before baresip does: prove the path end to end with a harmless command
        const probe = await Promise.race([channel.command('about'), sleep(1000).then(() => undefined)]);
        if (probe) return channel;
        channel.close();
      } catch {
        // not listening yet
      }
      if (!owner.isRunning()) throw new Error('baresip exited before its control port opened');
      if (Date.now() > deadline) throw new Error('baresip control port did not open in 10 s');
      await sleep(100);
    }
  }

  command(command: string, params?: string): Promise<BaresipResponse> {
    if (this.closed) return Promise.reject(new Error(`baresip control channel closed (${command})`));
    const token = String(this.nextToken++);
    const message: Record<string, string> = { command, token };
    if (params !== undefined) message.params = params;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip: no response to ${command} in 10 s`));
      }, 10_000);
      this.pending.set(token, {
        resolve: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(encodeNetstring(JSON.stringify(message)));
    });
  }

  waitForEvent(
    match: (event: BaresipEvent, index: number) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<{ event: BaresipEvent; index: number }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.events.findIndex(match);
        const event = this.events[index];
        if (event) {
          finish();
          resolve({ event, index });
          return true;
        }
        if (!this.owner.isRunning() || this.closed) {
          finish();
          reject(
            new Error(
              `${what}: baresip ${this.closed ? 'control channel closed' : 'exited'}; events: ${this.summary()}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${what}: not within ${timeoutMs} ms; events: ${this.summary()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
    this.failPending();
    this.wake();
  }

  private failPending(): void {
    for (const { reject } of this.pending.values()) reject(new Error('baresip control channel closed'));
    this.pending.clear();
  }

  private summary(): string {
    return this.events.map((e) => (e.param ? `${e.type}(${e.param})` : e.type)).join(', ') || '(none)';
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private receive(chunk: Buffer): void {
    for (const payload of this.decoder.push(chunk)) {
      let message: unknown;
      try {
        message = JSON.parse(payload);
      } catch {
        continue;
      }
      if (typeof message !== 'object' || message === null) continue;
      const m = message as Record<string, unknown>;
      if (m.response === true) {
        const token = typeof m.token === 'string' ? m.token : '';
        this.pending
          .get(token)
          ?.resolve({ ok: m.ok === true, data: typeof m.data === 'string' ? m.data : '' });
        this.pending.delete(token);
      } else if (m.event === true || m.event === 'true') {
        const str = (key: string): string | undefined => (typeof m[key] === 'string' ? m[key] : undefined);
        const event: BaresipEvent = {
          type: str('type') ?? '?',
          class: str('class') ?? '?',
          at: Date.now(),
          raw: m,
        };
        for (const key of ['accountaor', 'direction', 'peeruri', 'id', 'param'] as const) {
          const value = str(key);
          if (value !== undefined) event[key] = value;
        }
        this.events.push(event);
      }
    }
    this.wake();
  }
}

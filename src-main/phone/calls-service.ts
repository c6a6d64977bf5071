/**
 * The calls domain of the phone API: places and takes calls from the accounts' SIP user agent through
 * one `CallAgent`, maps every call to a `CallSnapshot` (`calls.changed`, `calls.list`), records every
 * call's start, answer and end in the call log (`CallHistoryRecorder`), and gets each call's audio from
 * the `AudioDeviceProvider` the host plugs in (tones/WAV in the CLI and tests, the renderer's AudioWorklet
 * bridge in the app).
 *
 * Calls are made from an account: its AoR, credentials and outbound proxy come from its registration
 * (the accounts service), its codecs/DTMF mode/media ports from the account or the settings.
 *
 * Media: each account's calls get an IceMediaTransportProvider (call/ice-media-transport.ts) whose ICE
 * settings are read when a call's media opens — the account's ICE mode and STUN/TURN servers, the
 * servers its NAT auto-configuration found, the policy from its last NAT verdict (account-ice-settings.ts).
 * Network changes reach every provider: a call whose path may be gone restarts ICE.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type { AccountSnapshot } from '../../src-shared/model/account.ts';
import type { CallAudioOptions, CallEncryption, CallSnapshot } from '../../src-shared/model/call.ts';
import { CALL_LIST_MAX } from '../../src-shared/model/call.ts';
import type { Settings } from '../../src-shared/model/settings.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import {
  CallAgent,
  PlainRtpTransportProvider,
  dialTargetUri,
  historyResultOf,
  localCodecsFor,
} from '../call/index.ts';
import type {
  Call,
  CallAccount,
  CallCommandResult,
  CallTiming,
  MediaTransportProvider,
} from '../call/index.ts';
import type { AudioPort } from '../media/audio/index.ts';
import { codecFor } from '../media/session/index.ts';
import {
  DuplexAudioPort,
  SilencePort,
  ToneGenerator,
  WavFileSource,
  WavRecorder,
} from '../media/audio/index.ts';
import type { Clock, Network, NetworkChange, Resolver, Timer } from '../platform/index.ts';
import { IceMediaTransportProvider } from '../call/index.ts';
import type { IceAgentTuning, IceTransportSettings } from '../call/index.ts';
import type { NatReport } from '../../src-shared/model/nat.ts';
import { iceSettingsFor } from './account-ice-settings.ts';
import type { AccountNatInput, IceOverrides } from './account-ice-settings.ts';
import { DigestSession } from '../sip/auth/index.ts';
import type { RegistrationConfig } from '../sip/registration/index.ts';
import type { SipRequest } from '../sip/syntax/index.ts';
import type { SipUserAgent } from '../sip/ua/index.ts';
import type { CallHistoryRecorder } from './call-history-recorder.ts';
import type { ScopedLog } from './log.ts';
import type { CommandHandlers } from './router.ts';

/**
 * Where calls get their audio. `open` is called when a call's media starts (early media or the answer)
 * and must answer at once with a port (one that fills up later — a MessagePort bridge to the renderer's
 * 48 kHz AudioWorklet — is fine: it returns silence meanwhile); the port is closed when the call ends.
 * `format` tells the rate the negotiated codec runs at; a port at that rate needs no resampling, any
 * other rate is converted by the call.
 */
export interface AudioDeviceProvider {
  open(callId: string, options: CallAudioOptions, format: CallAudioFormat): AudioPort;
}

/** The audio format of a call when its media starts. */
export interface CallAudioFormat {
  /** PCM rate of the negotiated codec: 8000 for G.711, 16000 for G.722. */
  readonly sampleRate: number;
}

/** Audio from files and tones, for hosts without devices (the CLI, tests). */
export interface FileAudioPlan {
  /**
   * A fixed port rate; default: the call's codec rate (8 kHz G.711, 16 kHz G.722), so nothing is
   * resampled and a recording keeps all the codec carried.
   */
  readonly sampleRate?: number | undefined;
  /** Send a sine of this frequency … */
  readonly tone?: number | undefined;
  /** … or this WAV file (looped); neither: silence. */
  readonly play?: string | undefined;
  /** Record what we receive (decoded, mono, at `sampleRate`); a second call records to FILE-2.wav. */
  readonly record?: string | undefined;
}

/**
 * An AudioDeviceProvider of tone/WAV microphones and WAV recorder speakers. A tone the port's rate cannot
 * carry (5 kHz on an 8 kHz G.711 call) is reported and replaced by silence rather than aliased.
 * `onRecording` hears which file each call records to (FILE.wav, then FILE-2.wav, FILE-3.wav…).
 */
export function fileAudioProvider(
  plan: FileAudioPlan,
  onError: (message: string) => void = () => {},
  onRecording: (callId: string, path: string) => void = () => {},
): AudioDeviceProvider {
  let opened = 0;
  return {
    open: (callId: string, _options: CallAudioOptions, format: CallAudioFormat): AudioPort => {
      opened++;
      const sampleRate = plan.sampleRate ?? format.sampleRate;
      let source: AudioPort = new SilencePort(sampleRate);
      if (plan.tone !== undefined && plan.tone >= sampleRate / 2)
        onError(`a ${plan.tone} Hz tone does not fit the call's ${sampleRate} Hz audio: sending silence`);
      else if (plan.tone !== undefined) source = new ToneGenerator({ sampleRate, frequencyHz: plan.tone });
      else if (plan.play !== undefined) {
        const file = WavFileSource.open({ path: plan.play, sampleRate, loop: true });
        if (file.ok) source = file.port;
        else onError(`cannot play ${plan.play}: ${file.message}`);
      }
      if (plan.record === undefined) return source;
      const path = opened === 1 ? plan.record : plan.record.replace(/(\.wav)?$/i, `-${opened}$1`);
      const recorder = WavRecorder.create({ path, sampleRate });
      if (!recorder.ok) {
        onError(`cannot record to ${path}: ${recorder.message}`);
        return source;
      }
      onRecording(callId, path);
      return new DuplexAudioPort(source, recorder.port);
    },
  };
}

/** What the calls service needs of the accounts service (AccountsService fits). */
export interface CallAccountsSource {
  readonly userAgent: SipUserAgent | undefined;
  registrationOf(id: string): { readonly config: RegistrationConfig; readonly state: string } | undefined;
  list(): AccountSnapshot[];
  /** The account's STUN/TURN servers with secrets; without it the snapshot's (no TURN passwords) is used. */
  natInputOf?(id: string): AccountNatInput | undefined;
}

/** ICE options of the phone (CLI flags, tests, benches). */
export interface CallsIceOptions extends IceOverrides {
  /** Agent tuning (loopback host candidates, timers). */
  readonly agent?: IceAgentTuning;
}

export interface CallsServiceOptions {
  clock: Clock;
  network: Network;
  accounts: CallAccountsSource;
  history: CallHistoryRecorder;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  log: ScopedLog;
  settings: () => Settings;
  audio?: AudioDeviceProvider;
  timing?: Partial<CallTiming>;
  /** Snapshots with fresh statistics while calls are up (default 5000 ms; 0: only on changes). */
  statsIntervalMs?: number;
  random?: () => number;
  /** Resolves configured STUN/TURN host names (default: IP literals only). */
  resolver?: Resolver;
  /** The accounts' NAT reports (the diagnostics service's auto-configuration). */
  natReports?: { reportOf(accountId: string): NatReport | undefined };
  /** Network changes: ICE restarts where a call's path may be gone. */
  networkChanges?: { onChange(listener: (change: NetworkChange) => void): Disposable };
  ice?: CallsIceOptions;
  /** Extra TLS trust anchors (PEM) for turns: servers — the phone's SIP TLS ones. */
  tlsCa?: readonly string[];
}

type CallsCommand =
  | 'calls.list'
  | 'calls.dial'
  | 'calls.answer'
  | 'calls.reject'
  | 'calls.hangup'
  | 'calls.hold'
  | 'calls.resume'
  | 'calls.mute'
  | 'calls.sendDtmf'
  | 'calls.transfer';

/**
 * How long close() waits for the BYEs (and CANCELs) of the calls that ended last: long enough for the
 * retransmissions at 0.5, 1.5 s (RFC 3261 Timer E) when the network loses one.
 */
export const HANGUP_WAIT_MS = 3_000;

/** Ended calls remembered for commands that race the end (a second hang-up click). */
const RECENTLY_ENDED = 32;

export class CallsService {
  readonly handlers: Pick<CommandHandlers, CallsCommand>;
  readonly #options: CallsServiceOptions;
  #audio: AudioDeviceProvider | undefined;
  #agent: CallAgent | undefined;
  #agentSubscription: Disposable | undefined;
  readonly #watched = new Map<
    string,
    {
      call: Call;
      subscription: Disposable;
      last: string;
      answered: boolean;
      audio: CallAudioOptions;
      /** What the snapshot said while the media was last up (for the call log); undefined before. */
      encryption: CallEncryption | undefined;
    }
  >();
  readonly #ended = new Map<string, CallSnapshot>();
  /** The end signalling (BYE, CANCEL) still on its way, for close() to wait for. */
  readonly #closing = new Set<Promise<void>>();
  readonly #digests = new Map<string, { key: string; session: DigestSession }>();
  readonly #media = new Map<string, MediaTransportProvider>();
  readonly #iceProviders = new Set<IceMediaTransportProvider>();
  #networkSubscription: Disposable | undefined;
  #statsTimer: Timer | undefined;
  #closed = false;

  constructor(options: CallsServiceOptions) {
    this.#options = options;
    this.#audio = options.audio;
    this.#networkSubscription = options.networkChanges?.onChange((change) => {
      for (const provider of this.#iceProviders) provider.networkChanged(change);
    });
    this.handlers = {
      'calls.list': () => this.list(),
      'calls.dial': (req) => this.dial(req.target, req.accountId, req.audio ?? {}),
      'calls.answer': (req) => this.answer(req.callId, req.audio),
      'calls.reject': (req) => this.#act(req.callId, (c) => c.reject(req.reason ?? 'decline')),
      'calls.hangup': (req) => this.#act(req.callId, (c) => c.hangup(), true),
      'calls.hold': (req) => this.#act(req.callId, (c) => c.hold()),
      'calls.resume': (req) => this.#act(req.callId, (c) => c.resume()),
      'calls.mute': (req) =>
        this.#act(req.callId, (c) => {
          c.setMuted(req.muted);
          return { ok: true };
        }),
      'calls.sendDtmf': (req) => this.#act(req.callId, (c) => c.sendDtmf(req.digits), false, 'media'),
      'calls.transfer': (req) =>
        this.#act(req.callId, (c) => {
          if ('replacesCallId' in req) {
            const other = this.#agent?.find(req.replacesCallId);
            if (other === undefined)
              throw new PhoneError(
                'not-found',
                `There is no call with id ${JSON.stringify(req.replacesCallId)}.`,
              );
            return c.transferReplacing(other);
          }
          const target = dialTargetUri(req.target, c.account);
          if (target === undefined)
            throw new PhoneError(
              'invalid-request',
              `target: ${JSON.stringify(req.target)} is not a SIP address or number`,
            );
          return c.transferTo(target);
        }),
    };
  }

  /** The audio of the calls from now on (the host's device bridge). */
  useAudio(provider: AudioDeviceProvider): void {
    this.#audio = provider;
  }

  list(): CallSnapshot[] {
    return (this.#agent?.calls ?? []).slice(-CALL_LIST_MAX).map((c) => c.snapshot());
  }

  /** The accounts changed: serve calls on their user agent as soon as there is one. */
  accountsChanged(): void {
    this.#attach();
  }

  async dial(
    targetText: string,
    accountId: string | undefined,
    audio: CallAudioOptions,
  ): Promise<CallSnapshot> {
    this.#assertOpen();
    const agent = this.#attach();
    const account = this.#accountForDial(accountId);
    if (agent === undefined || account === undefined) {
      throw new PhoneError(
        'unavailable',
        accountId === undefined
          ? 'No account is ready to call from; add or register one first.'
          : `The account ${accountId} is not registered.`,
      );
    }
    const target = dialTargetUri(targetText, account);
    if (target === undefined)
      throw new PhoneError(
        'invalid-request',
        `target: ${JSON.stringify(targetText)} is not a SIP address or number`,
      );
    this.#pendingAudio = audio;
    try {
      const call = agent.dial(account, target);
      return call.snapshot();
    } finally {
      this.#pendingAudio = {};
    }
  }

  async answer(callId: string, audio: CallAudioOptions | undefined): Promise<CallSnapshot> {
    const call = this.#find(callId);
    const watched = this.#watched.get(callId);
    if (watched !== undefined && audio !== undefined) watched.audio = audio;
    const result = await call.answer();
    if (!result.ok) throw new PhoneError('conflict', `The call cannot be answered: ${result.error}.`);
    return call.snapshot();
  }

  /** End every call (BYE/CANCEL, bounded wait) and stop serving calls. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#networkSubscription?.dispose();
    this.#networkSubscription = undefined;
    const calls = this.#agent?.calls ?? [];
    this.#agentSubscription?.dispose();
    this.#agent?.dispose();
    this.#agent = undefined;
    await this.#bounded(Promise.all([...calls.map((c) => c.closing), ...this.#closing]).then(() => {}));
    for (const w of this.#watched.values()) w.subscription.dispose();
    this.#watched.clear();
    this.#statsTimer?.cancel();
    this.#statsTimer = undefined;
  }

  // ───────────────────────────── internals ─────────────────────────────

  #pendingAudio: CallAudioOptions = {};

  #assertOpen(): void {
    if (this.#closed) throw new PhoneError('unavailable', 'The phone is shutting down.');
  }

  /** The agent on the accounts' user agent (created the first time there is one). */
  #attach(): CallAgent | undefined {
    if (this.#closed) return undefined;
    const ua = this.#options.accounts.userAgent;
    if (ua === undefined || ua.state === 'closed') return undefined;
    if (this.#agent !== undefined && this.#agent.ua === ua) return this.#agent;
    this.#agentSubscription?.dispose();
    this.#agent?.dispose();
    const log = this.#options.log;
    const agent = new CallAgent({
      ua,
      clock: this.#options.clock,
      media: new PlainRtpTransportProvider({
        clock: this.#options.clock,
        network: this.#options.network,
        range: this.#options.settings().network.rtpPorts,
      }),
      openAudio: (call) => this.#openAudio(call),
      accountFor: (request) => this.#accountForIncoming(request),
      ...(this.#options.timing !== undefined && { timing: this.#options.timing }),
      ...(this.#options.random !== undefined && { random: this.#options.random }),
      log: (level, message) =>
        level === 'warn' ? log.warn(message) : level === 'info' ? log.info(message) : log.debug(message),
    });
    this.#agent = agent;
    this.#agentSubscription = agent.onCall((call) => this.#watch(call));
    return agent;
  }

  #openAudio(call: Call): AudioPort {
    const options = this.#watched.get(call.id)?.audio ?? {};
    const provider = this.#audio;
    // The media opens with the first usable negotiation, so the codec is known here.
    const negotiated = call.negotiated;
    const format: CallAudioFormat = {
      sampleRate: negotiated === undefined ? 8000 : codecFor(negotiated.codec).sampleRate,
    };
    // Without a device (a headless phone with no audio configured) the call still runs, silently.
    return provider === undefined
      ? new SilencePort(format.sampleRate)
      : provider.open(call.id, options, format);
  }

  #watch(call: Call): void {
    const entry = {
      call,
      subscription: { dispose: () => {} } as Disposable,
      last: '',
      answered: false,
      audio: this.#pendingAudio,
      encryption: undefined,
    };
    this.#watched.set(call.id, entry);
    entry.subscription = call.onChange(() => this.#changed(call));
    const snapshot = call.snapshot();
    this.#options.history.callStarted(historyOf(snapshot, null));
    this.#changed(call);
    this.#armStats();
  }

  #changed(call: Call): void {
    const entry = this.#watched.get(call.id);
    if (entry === undefined) return;
    const snapshot = call.snapshot();
    const text = JSON.stringify(snapshot);
    if (text !== entry.last) {
      entry.last = text;
      this.#options.emit('calls.changed', snapshot);
    }
    if (snapshot.state !== 'ended' && snapshot.media.path !== 'unknown')
      entry.encryption = encryptionOf(snapshot);
    if (!entry.answered && snapshot.answeredAt !== null) {
      entry.answered = true;
      this.#options.history.callAnswered(historyOf(snapshot, null));
    }
    if (snapshot.state === 'ended') {
      const closing = call.closing;
      this.#closing.add(closing);
      void closing.then(() => this.#closing.delete(closing));
      entry.subscription.dispose();
      this.#watched.delete(call.id);
      this.#ended.set(call.id, snapshot);
      if (this.#ended.size > RECENTLY_ENDED) this.#ended.delete(this.#ended.keys().next().value as string);
      const reason = snapshot.reason ?? { kind: 'local-hangup', text: 'Ended' };
      const result = historyResultOf(snapshot.direction, snapshot.answeredAt !== null, reason);
      this.#options.history.callEnded({
        // The log keeps what the call said while its media was up, not what is left after it ended.
        ...historyOf(snapshot, result, entry.encryption),
        result,
        endedAt: snapshot.endedAt ?? Math.floor(this.#options.clock.now()),
      });
      if (this.#watched.size === 0) {
        this.#statsTimer?.cancel();
        this.#statsTimer = undefined;
      }
    }
  }

  /** While calls are up, their statistics go out every statsIntervalMs. */
  #armStats(): void {
    const interval = this.#options.statsIntervalMs ?? 5000;
    if (interval <= 0 || this.#statsTimer !== undefined) return;
    this.#statsTimer = this.#options.clock.setInterval(interval, () => {
      for (const { call } of [...this.#watched.values()]) this.#changed(call);
    });
  }

  #find(callId: string): Call {
    const call = this.#agent?.find(callId);
    if (call === undefined)
      throw new PhoneError('not-found', `There is no call with id ${JSON.stringify(callId)}.`);
    return call;
  }

  /** Run a command on a call; an ended call answers its last snapshot when `endedIsFine`. */
  #act(
    callId: string,
    action: (call: Call) => CallCommandResult,
    endedIsFine = false,
    failureCode: 'conflict' | 'media' = 'conflict',
  ): CallSnapshot {
    const call = this.#agent?.find(callId);
    if (call === undefined) {
      const ended = this.#ended.get(callId);
      if (ended !== undefined && endedIsFine) return ended;
      if (ended !== undefined) throw new PhoneError('conflict', 'The call has ended.');
      throw new PhoneError('not-found', `There is no call with id ${JSON.stringify(callId)}.`);
    }
    const result = action(call);
    if (!result.ok)
      throw new PhoneError(failureCode, `${result.error.charAt(0).toUpperCase()}${result.error.slice(1)}.`);
    return call.snapshot();
  }

  // ───────────────────────────── accounts ─────────────────────────────

  /** The account a call goes out from: the one asked for, else the first registered one. */
  #accountForDial(accountId: string | undefined): CallAccount | undefined {
    const accounts = this.#options.accounts.list();
    const chosen =
      accountId !== undefined
        ? accounts.find((a) => a.id === accountId)
        : (accounts.find((a) => a.registration.state === 'registered') ??
          accounts.find((a) => this.#options.accounts.registrationOf(a.id) !== undefined));
    return chosen === undefined ? undefined : this.#callAccount(chosen);
  }

  /** The account an incoming INVITE is for: the one whose user is in the Request-URI, else the first registered. */
  #accountForIncoming(request: SipRequest): CallAccount | undefined {
    const accounts = this.#options.accounts
      .list()
      .filter((a) => this.#options.accounts.registrationOf(a.id) !== undefined);
    const user = request.uri.kind === 'sip' ? request.uri.user : undefined;
    const toUser = request.to.uri.kind === 'sip' ? request.to.uri.user : undefined;
    const userOf = (a: AccountSnapshot): string | undefined => /^sips?:([^@]+)@/i.exec(a.aor)?.[1];
    const chosen =
      accounts.find((a) => user !== undefined && userOf(a) === user) ??
      accounts.find((a) => toUser !== undefined && userOf(a) === toUser) ??
      accounts.find((a) => a.registration.state === 'registered') ??
      accounts[0];
    return chosen === undefined ? undefined : this.#callAccount(chosen);
  }

  #callAccount(account: AccountSnapshot): CallAccount | undefined {
    const registration = this.#options.accounts.registrationOf(account.id);
    if (registration === undefined) return undefined;
    const config = registration.config;
    const settings = this.#options.settings();
    const credentials = config.credentials;
    let digest: DigestSession | undefined;
    if (credentials !== undefined) {
      const key = `${credentials.username}\u0000${credentials.password}`;
      let cached = this.#digests.get(account.id);
      if (cached === undefined || cached.key !== key) {
        cached = { key, session: new DigestSession({ credentials, preemptive: true }) };
        this.#digests.set(account.id, cached);
      }
      digest = cached.session;
    }
    const range = account.mediaPorts ?? settings.network.rtpPorts;
    const mediaKey = `${account.id}\u0000${range.min}-${range.max}`;
    let media = this.#media.get(mediaKey);
    if (media === undefined) {
      const provider = new IceMediaTransportProvider({
        clock: this.#options.clock,
        network: this.#options.network,
        range,
        ...(this.#options.random !== undefined && { random: this.#options.random }),
        settings: () => this.#iceSettings(account.id),
        ...(this.#options.ice?.agent !== undefined && { agent: this.#options.ice.agent }),
        log: (level, message) =>
          level === 'warn'
            ? this.#options.log.warn(message)
            : level === 'info'
              ? this.#options.log.info(message)
              : this.#options.log.debug(message),
      });
      this.#iceProviders.add(provider);
      media = provider;
      this.#media.set(mediaKey, media);
    }
    return {
      id: account.id,
      aor: config.aor,
      ...(config.displayName !== undefined && { displayName: config.displayName }),
      ...(digest !== undefined && { digest }),
      ...(config.outboundProxy !== undefined && { outboundProxy: config.outboundProxy }),
      ...(config.transport !== undefined && { transport: config.transport }),
      codecs: localCodecsFor(account.codecs ?? settings.calls.codecOrder),
      dtmfMode: account.dtmfMode ?? settings.calls.dtmfMode,
      autoAnswer: account.autoAnswer,
      media,
      srtp: account.srtp,
    };
  }

  /** One call's ICE settings: the account's, now (see account-ice-settings.ts). */
  async #iceSettings(accountId: string): Promise<IceTransportSettings> {
    const accounts = this.#options.accounts;
    const snapshot = accounts.list().find((a) => a.id === accountId);
    const input: AccountNatInput | undefined =
      accounts.natInputOf?.(accountId) ??
      (snapshot === undefined
        ? undefined
        : {
            accountId,
            domain: snapshot.domain,
            iceMode: snapshot.iceMode,
            stunServers: snapshot.stunServers,
            turnServers: [],
          });
    if (input === undefined) return { mode: 'off', stunServers: [], turnServers: [], policy: 'all' };
    const settings = await iceSettingsFor({
      input,
      nat: this.#options.settings().nat,
      report: this.#options.natReports?.reportOf(accountId),
      resolver: this.#options.resolver ?? NO_DNS,
      ...(this.#options.ice !== undefined && { overrides: this.#options.ice }),
      ...(this.#options.tlsCa !== undefined && { tlsCa: this.#options.tlsCa }),
    });
    if (settings.mode !== 'off') {
      this.#options.log.info(
        `calls: ICE ${settings.mode} for ${accountId}: ${settings.stunServers.length} STUN, ${settings.turnServers.length} TURN server(s), policy ${settings.policy}`,
      );
    }
    return settings;
  }

  /** `work`, or HANGUP_WAIT_MS, whichever ends first. */
  #bounded(work: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#options.clock.setTimer(HANGUP_WAIT_MS, resolve);
      void work.then(() => {
        timer.cancel();
        resolve();
      });
    });
  }
}

/** Without a resolver only IP literals are used (names do not resolve). */
const NO_DNS: Resolver = {
  resolve4: () => Promise.reject(Object.assign(new Error('no resolver'), { code: 'ENOTFOUND' })),
  resolve6: () => Promise.reject(Object.assign(new Error('no resolver'), { code: 'ENOTFOUND' })),
  resolveSrv: () => Promise.reject(Object.assign(new Error('no resolver'), { code: 'ENOTFOUND' })),
  resolveNaptr: () => Promise.reject(Object.assign(new Error('no resolver'), { code: 'ENOTFOUND' })),
};

/** Whether the call's audio is encrypted, by its snapshot (absent: before SRTP existed, none). */
function encryptionOf(snapshot: CallSnapshot): CallEncryption {
  return snapshot.media.encryption ?? 'none';
}

/** A call snapshot as the call log wants it; `encryption` by default from the snapshot. */
function historyOf(
  snapshot: CallSnapshot,
  result: ReturnType<typeof historyResultOf> | null,
  encryption: CallEncryption = encryptionOf(snapshot),
) {
  return {
    id: snapshot.id,
    direction: snapshot.direction,
    accountId: snapshot.accountId,
    remoteUri: snapshot.remote.uri,
    remoteDisplayName: snapshot.remote.displayName ?? null,
    startedAt: snapshot.startedAt,
    answeredAt: snapshot.answeredAt,
    endedAt: snapshot.endedAt,
    result,
    sipCode: snapshot.sipCode,
    reason: snapshot.reason?.text ?? null,
    codec: snapshot.codec,
    mediaPath: snapshot.media.path,
    encryption,
    ...(snapshot.stats.mos !== undefined && { mos: snapshot.stats.mos }),
  };
}

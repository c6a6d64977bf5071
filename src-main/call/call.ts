/**
 * `Call`: one phone call — the INVITE session of RFC 3261 §13–15 on top of its dialog, its offer/answer
 * exchange (sdp's `OfferAnswer`) and its media (`CallMedia`). The dialog (sip/dialog), the offer/answer
 * state, the session timer, the re-INVITE client and the transfer are each their own machine; this one
 * tracks the call as a person sees it and drives the others.
 *
 *   outgoing:  ┌─────────┐ 180 ┌─────────┐ 183+SDP ┌───────┐
 *              │ dialing │ ──▶ │ ringing │ ──────▶ │ early │ ──┐  2xx (ACK sent)
 *              └─────────┘     └─────────┘         └───────┘   │
 *                  │ 183+SDP ───────────────────────────▲       ▼
 *                  └─────────────── 2xx ───────────────────▶ ┌────────┐ BYE either way, ┌───────┐
 *                                                            │ active │ ───────────────▶│ ended │
 *   incoming:  ┌─────────┐ answer(): 200 ┌────────────┐ ACK  └────────┘  failures       └───────┘
 *              │ ringing │ ────────────▶ │ connecting │ ────────▲
 *              └─────────┘               └────────────┘   (2xx retransmitted until the ACK, §13.3.1.4)
 *   every state ──▶ ended (failure, cancel, reject, hang-up, shutdown)
 *
 * Hold is not a state of this machine: `held` / `remote-held` in the snapshot come from the last
 * completed offer/answer (RFC 3264 §8.4 directions), changed by re-INVITEs in either direction.
 *
 * Timers belong to states and are released when the state is left:
 *  - dialing/ringing/early (outgoing): the no-answer limit (we CANCEL);
 *  - ringing (incoming): the ring limit (480) and the auto-answer delay;
 *  - active: the session timer (RFC 4028) and the glare back-off (RFC 3261 §14.1) — their own machines,
 *    created on entry and closed on exit; for the consultation call of an attended transfer that
 *    succeeded, the wait for the transfer target's BYE (CONSULTATION_END_WAIT_MS).
 */
import { randomUUID } from 'node:crypto';
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { CallReason, CallSnapshot, CallState, CallTransfer } from '../../src-shared/model/call.ts';
import type { CallDirection } from '../../src-shared/model/history.ts';
import type { DtmfMode } from '../../src-shared/model/settings.ts';
import { formatAddress } from '../platform/index.ts';
import type { Clock, IpFamily, Timer } from '../platform/index.ts';
import { isDtmfKey } from '../media/codec/index.ts';
import type { DtmfKey } from '../media/codec/index.ts';
import {
  OfferAnswer,
  buildSdp,
  createAnswer,
  createOffer,
  holdOffer,
  parseSdp,
  resumeOffer,
} from '../sdp/index.ts';
import type { Direction, NegotiatedMedia, SessionDescription } from '../sdp/index.ts';
import type { DigestSession } from '../sip/auth/index.ts';
import type { Dialog, DialogRequestOptions } from '../sip/dialog/index.ts';
import { Header, NO_PARAMS, formatUri, parseUri } from '../sip/syntax/index.ts';
import type { FromTo, ReplacesValue, SipRequest, SipResponse, SipUri, Uri } from '../sip/syntax/index.ts';
import type { RequestOutcome } from '../sip/transaction/index.ts';
import type { SipFlow, SipTransport } from '../sip/transport/index.ts';
import type { ContactTemplate, SendRequestOptions, SipUserAgent, UasRequest } from '../sip/ua/index.ts';
import { CallMedia } from './call-media.ts';
import type { CallSrtpMode, MediaTransportProvider } from './call-media.ts';
import type { LocalCodec } from '../sdp/index.ts';
import { DTMF_PLAIN, DTMF_RELAY, dtmfRelayBody, parseDtmfBody } from './message-bodies.ts';
import { offeredMediaFamily } from './media-family.ts';
import { OutgoingInvite } from './outgoing-invite.ts';
import type { InviteFailure } from './outgoing-invite.ts';
import {
  SessionTimer,
  minSessionExpiresOf,
  sessionTimerHeaders,
  uacSessionTimer,
  uasSessionTimer,
} from './session-timer.ts';
import type { UasSessionTimerDecision } from './session-timer.ts';
import { SessionUpdateClient } from './session-update-client.ts';
import type { SessionUpdateOutcome } from './session-update-client.ts';
import { IncomingTransfer, OutgoingTransfer } from './transfer.ts';
import type { AudioPort } from '../media/audio/index.ts';

export type CallPhase = 'dialing' | 'ringing' | 'early' | 'connecting' | 'active' | 'ended';

const LEGAL: Readonly<Record<CallPhase, readonly CallPhase[]>> = {
  dialing: ['ringing', 'early', 'active', 'ended'],
  ringing: ['early', 'connecting', 'active', 'ended'],
  early: ['active', 'ended'],
  connecting: ['active', 'ended'],
  active: ['ended'],
  ended: [],
};

/** Option tags we put in Supported: RFC 3891 Replaces, RFC 4028 session timers. */
export const CALL_OPTION_TAGS = ['replaces', 'timer'] as const;

/** The account a call is made from or to, as the call layer needs it. */
export interface CallAccount {
  /** The phone's account id (snapshots, history); null for none. */
  readonly id: string | null;
  /** From of our requests (RFC 3261 §8.1.1.3). */
  readonly aor: SipUri;
  readonly displayName?: string;
  /** Answers 401/407 on our requests. */
  readonly digest?: DigestSession;
  /** Every out-of-dialog request goes here first (`;lr`: as a Route, RFC 3261 §8.1.2). */
  readonly outboundProxy?: SipUri;
  /** Transport towards the proxy/registrar when its URI names none. */
  readonly transport?: SipTransport;
  /** Codec preference (`PCMU`, `PCMA`, names we lack are skipped). */
  readonly codecs: readonly LocalCodec[];
  readonly dtmfMode: DtmfMode;
  readonly autoAnswer: boolean;
  /** Media sockets of this account's calls (its port range, ICE); default: the agent's. */
  readonly media?: MediaTransportProvider;
  /** SDES-SRTP for this account's calls (call-media.ts); default off. */
  readonly srtp?: CallSrtpMode;
}

/** Limits of the call machine, in ms. */
export interface CallTiming {
  /** Outgoing: CANCEL after ringing this long without an answer. */
  readonly noAnswerMs: number;
  /** Incoming: 480 after ringing this long. */
  readonly ringTimeoutMs: number;
  /** Session-Expires we ask for on our INVITEs (RFC 4028); undefined: we ask for none. */
  readonly sessionExpiresSec?: number;
}

export const DEFAULT_CALL_TIMING: CallTiming = { noAnswerMs: 180_000, ringTimeoutMs: 180_000 };

/**
 * Attended transfer, transferor side: after the transfer succeeded, how long the consultation call waits
 * for the transfer target to end it (RFC 3891 §3: the target "terminates the replaced dialog" with a BYE)
 * before we end it ourselves.
 */
export const CONSULTATION_END_WAIT_MS = 5_000;

export type CallLogLevel = 'debug' | 'info' | 'warn';

/** What a call gets from the agent that owns it. */
export interface CallEnvironment {
  readonly ua: SipUserAgent;
  readonly clock: Clock;
  readonly random: () => number;
  readonly timing: CallTiming;
  readonly media: MediaTransportProvider;
  readonly log: (level: CallLogLevel, message: string) => void;
  openAudio(call: Call): AudioPort;
  /** Route in-dialog requests of `dialog` to `call` until the dialog ends. */
  bindDialog(dialog: Dialog, call: Call): void;
  /** May this ringing call be answered automatically (no other call is up)? */
  autoAnswerAllowed(call: Call): boolean;
  /** The peer asked us (REFER) to call `target`: place that call. */
  placeTransferCall(
    call: Call,
    target: Uri,
    headers: readonly (readonly [string, string])[],
  ): Call | undefined;
  /** A call we answered or resumed takes the audio: the others go on hold. */
  takesFocus(call: Call): void;
  /** A new call id. */
  newId?(): string;
}

export interface DialOptions {
  /** Extra headers of the INVITE (Replaces, Referred-By for a transfer). */
  readonly headers?: readonly (readonly [string, string])[];
}

export type CallCommandResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export class Call {
  readonly id: string;
  readonly direction: CallDirection;
  readonly account: CallAccount;
  readonly startedAt: number;
  readonly remote: { readonly uri: string; readonly displayName?: string };
  readonly #env: CallEnvironment;
  readonly #ua: SipUserAgent;
  readonly #changes = new Emitter<Call>();
  readonly #dtmf = new Emitter<{ key: DtmfKey; via: 'rfc4733' | 'info' }>();
  readonly #media: CallMedia;
  readonly #subscriptions: Disposable[] = [];
  #phase: CallPhase;
  #offerAnswer = new OfferAnswer();
  #dialog: Dialog | undefined;
  #sdpAddress: string | undefined;
  #answeredAt: number | null = null;
  #endedAt: number | null = null;
  #reason: CallReason | null = null;
  #sipCode: number | null = null;
  #dtmfReceived = '';
  /** Timers of the current phase (cancelled on every transition). */
  #phaseTimers: Timer[] = [];
  /** Outgoing: the no-answer limit, from dialing until the answer or the end (spans ringing and early). */
  #noAnswerTimer: Timer | undefined;
  /** Resolves once the signalling of the end (BYE, CANCEL) is over. */
  #closing: Promise<void> = Promise.resolve();

  // ── hold ──
  /** The user wants the call on hold. */
  #wantHold = false;
  /** The last completed negotiation has us holding (our direction sendonly/inactive). */
  #sessionHeld = false;
  #remoteHold = false;
  #refreshWanted = false;
  /** The media transport asked for a new offer of ours (ICE updated offer, ICE restart). */
  #reofferWanted = false;

  // ── machines of the active phase ──
  #updates: SessionUpdateClient | undefined;
  #sessionTimer: SessionTimer | undefined;
  /** An INVITE we received in the dialog whose ACK has not come yet (blocks our re-INVITEs, §14.1). */
  #remoteInvite: UasRequest | undefined;
  /** The peer's Allow (UPDATE for session refreshes). */
  #peerAllowsUpdate = false;
  /** The ACK of our last re-INVITE, for retransmissions of its 2xx. */
  readonly #reinviteAcks = new Map<number, Promise<{ request: SipRequest; flow: SipFlow | undefined }>>();

  // ── outgoing ──
  #invite: OutgoingInvite | undefined;
  #earlyAnswer: SessionDescription | undefined;

  // ── incoming ──
  #uas: UasRequest | undefined;
  #remoteOffer: SessionDescription | undefined;
  #sessionTimerDecision: UasSessionTimerDecision = { kind: 'none' };

  // ── DTMF over INFO ──
  #infoQueue: DtmfKey[] = [];
  #infoSending = false;

  // ── transfer ──
  #outgoingTransfer: OutgoingTransfer | undefined;
  #incomingTransfer: IncomingTransfer | undefined;
  /**
   * Attended transfer: this is the consultation call, and that call's REFER (with Replaces naming this
   * call's dialog) hands our far end over to that call's far end.
   */
  #consultationOf: Call | undefined;
  /** Incoming INVITE with Replaces (RFC 3891): the id of the call this one takes the place of. */
  #replaces: string | undefined;

  private constructor(
    env: CallEnvironment,
    account: CallAccount,
    direction: CallDirection,
    phase: CallPhase,
    remote: FromTo | Uri,
  ) {
    this.#env = env;
    this.#ua = env.ua;
    this.account = account;
    this.direction = direction;
    this.#phase = phase;
    this.id = env.newId?.() ?? randomUUID();
    this.startedAt = Math.floor(env.clock.now());
    if ('kind' in remote) {
      this.remote = { uri: formatUri(remote) };
    } else {
      const displayName = remote.displayName?.trim();
      this.remote = {
        uri: formatUri(remote.uri),
        ...(displayName !== undefined && displayName !== '' && { displayName }),
      };
    }
    this.#media = new CallMedia({
      clock: env.clock,
      provider: account.media ?? env.media,
      codecs: account.codecs,
      openAudio: () => env.openAudio(this),
      sessionId: sessionIdFrom(env.random),
      random: env.random,
      ...(account.srtp !== undefined && { srtp: account.srtp }),
      log: (m) => this.#log('debug', m),
      host: {
        renegotiate: (why) => {
          this.#log('info', `re-offer wanted by the media transport: ${why}`);
          this.#reofferWanted = true;
          this.#updates?.kick();
        },
        failed: (reason) => this.#mediaFailed(reason),
        changed: () => {
          if (this.#phase !== 'ended') this.#changed();
        },
      },
    });
    this.#subscriptions.push(this.#media.onDtmf((key) => this.#dtmfArrived(key, 'rfc4733')));
  }

  // ───────────────────────────── creating ─────────────────────────────

  /** Place a call to `target` (RFC 3261 §13.2.1). The INVITE goes out once the media ports are bound. */
  static dial(env: CallEnvironment, account: CallAccount, target: Uri, options: DialOptions = {}): Call {
    const call = new Call(env, account, 'outgoing', 'dialing', target);
    call.#enterPhase('dialing');
    void call.#startOutgoing(target, options);
    return call;
  }

  /**
   * A new INVITE for us (RFC 3261 §13.3). The call rings (180) or is refused at once (488 without a
   * codec in common, 422 for a too-short session interval, 400 for unreadable SDP).
   */
  static incoming(
    env: CallEnvironment,
    account: CallAccount,
    uas: UasRequest,
    options: { readonly replaces?: Call } = {},
  ): Call {
    const call = new Call(env, account, 'incoming', 'ringing', uas.request.from);
    call.#uas = uas;
    call.#replaces = options.replaces?.id;
    call.#startIncoming(uas);
    return call;
  }

  // ───────────────────────────── reading ─────────────────────────────

  get phase(): CallPhase {
    return this.#phase;
  }

  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  get answered(): boolean {
    return this.#answeredAt !== null;
  }

  get reason(): CallReason | null {
    return this.#reason;
  }

  get sipCode(): number | null {
    return this.#sipCode;
  }

  /** Talking (not ringing, not ended), on hold or not. */
  get up(): boolean {
    return this.#phase === 'active' || this.#phase === 'connecting';
  }

  /** We hold it (the last negotiation says so). */
  get held(): boolean {
    return this.#sessionHeld;
  }

  get remoteHeld(): boolean {
    return this.#remoteHold;
  }

  /** Hold requested (whether or not the re-INVITE completed). */
  get holdWanted(): boolean {
    return this.#wantHold;
  }

  get muted(): boolean {
    return this.#media.muted;
  }

  /** The negotiation in force (tests, stats). */
  get negotiated(): NegotiatedMedia | undefined {
    return this.#media.negotiated;
  }

  /** Our offer/answer machine (tests read the descriptions and o= versions). */
  get offerAnswer(): OfferAnswer {
    return this.#offerAnswer;
  }

  get transfer(): CallTransfer | null {
    return this.#outgoingTransfer?.snapshot ?? this.#incomingTransfer?.snapshot ?? null;
  }

  /** The id of the call this one replaces (an incoming INVITE with Replaces, RFC 3891). */
  get replaces(): string | undefined {
    return this.#replaces;
  }

  get sessionTimer(): SessionTimer | undefined {
    return this.#sessionTimer;
  }

  get sessionUpdates(): SessionUpdateClient | undefined {
    return this.#updates;
  }

  /** Resolves when the signalling of the end got its answer (the BYE's, the CANCELled INVITE's final). */
  get closing(): Promise<void> {
    return this.#closing;
  }

  onChange(listener: (call: Call) => void): Disposable {
    return this.#changes.on(listener);
  }

  onDtmf(listener: (key: DtmfKey, via: 'rfc4733' | 'info') => void): Disposable {
    return this.#dtmf.on(({ key, via }) => listener(key, via));
  }

  /** The state a person sees. */
  get state(): CallState {
    switch (this.#phase) {
      case 'dialing':
        return 'dialing';
      case 'ringing':
        return 'ringing';
      case 'early':
        return 'early';
      case 'connecting':
      case 'active':
        return this.#sessionHeld ? 'held' : this.#remoteHold ? 'remote-held' : 'active';
      case 'ended':
        return 'ended';
    }
  }

  snapshot(): CallSnapshot {
    const stats = this.#media.stats();
    const route = this.#media.route;
    const view = this.#media.view();
    return {
      id: this.id,
      accountId: this.account.id,
      direction: this.direction,
      remote: this.remote,
      state: this.state,
      reason: this.#reason,
      sipCode: this.#sipCode,
      startedAt: this.startedAt,
      answeredAt: this.#answeredAt,
      endedAt: this.#endedAt,
      codec: this.#media.negotiated?.codec.name ?? null,
      muted: this.#media.muted,
      stats: {
        packetsSent: stats?.packetsSent ?? 0,
        packetsReceived: stats?.packetsReceived ?? 0,
        lossPct: clamp(stats?.lossPct ?? 0, 0, 100),
        jitterMs: Math.max(0, stats?.jitterMs ?? 0),
        rttMs: stats?.rttMs ?? null,
        mos: this.#media.mos(),
      },
      media: {
        path: route === undefined ? 'unknown' : (view?.path ?? (route.relayed ? 'relayed' : 'direct')),
        // A wildcard-bound socket is shown with the address our SDP announced for it.
        local:
          route === undefined
            ? null
            : formatAddress(
                isWildcard(route.local.address) && this.#sdpAddress !== undefined
                  ? { ...route.local, address: this.#sdpAddress }
                  : route.local,
              ),
        remote: route === undefined ? null : formatAddress(route.remote),
        transport: view?.transport ?? (route === undefined ? null : route.kind === 'ice' ? 'ice' : 'plain'),
        ice: view?.ice ?? null,
        encryption: this.#media.encryption.encryption,
        srtpSuite: this.#media.encryption.suite,
      },
      dtmfReceived: this.#dtmfReceived,
      transfer: this.transfer,
      ...(this.#replaces !== undefined && { replaces: this.#replaces }),
    };
  }

  /** Does this call's confirmed (or early) dialog match an RFC 3891 Replaces header? */
  matchesReplaces(replaces: ReplacesValue): boolean {
    const d = this.#dialog;
    // §3: "the to-tag [...] and from-tag [...] as they would appear in the To and From of a request
    // sent [to the UA receiving the INVITE]": our local tag is the to-tag.
    return (
      d !== undefined &&
      d.id.callId === replaces.callId &&
      d.id.localTag === replaces.toTag &&
      d.id.remoteTag === replaces.fromTag
    );
  }

  // ───────────────────────────── commands ─────────────────────────────

  /** Answer a ringing incoming call: 200 with our SDP, retransmitted until the ACK (§13.3.1.4). */
  async answer(): Promise<CallCommandResult> {
    if (this.direction !== 'incoming' || this.#phase !== 'ringing')
      return { ok: false, error: `the call is ${this.state}, not ringing here` };
    const uas = this.#uas;
    if (uas === undefined) throw new Error('incoming call without its INVITE');
    const opened = await this.#media.open(mediaFamilyOf(uas.flow, this.#remoteOffer), this.#remoteOffer);
    if (this.#phase !== 'ringing') return { ok: false, error: `the call is ${this.state}` };
    if (!opened.ok) {
      this.#rejectInvite(500, 'network', `No media port: ${opened.message}`);
      return { ok: false, error: opened.message };
    }
    const address = uas.flow.local.address;
    this.#sdpAddress = address;
    let body: string;
    const offer = this.#remoteOffer;
    if (offer !== undefined) {
      this.#offerAnswer.setRemoteOffer(offer);
      const answer = createAnswer(
        offer,
        this.#media.config(address, 'sendrecv', offer),
        this.#offerAnswer.lastLocalDescription,
      );
      if (!answer.ok) {
        this.#offerAnswer.rollback(answer.failure.detail);
        this.#rejectInvite(488, 'no-common-codec', answer.failure.detail);
        return { ok: false, error: answer.failure.detail };
      }
      this.#offerAnswer.setLocalAnswer(answer.answer);
      body = buildSdp(answer.answer);
      this.#applyNegotiation(answer.media, 'answerer');
    } else {
      // RFC 3261 §13.3.1.4 (offer in the 2xx, answer in the ACK): an INVITE without a body.
      const ours = createOffer(this.#media.config(address), this.#offerAnswer.lastLocalDescription);
      this.#offerAnswer.setLocalOffer(ours);
      body = buildSdp(ours);
    }
    const response = uas.respond(200, {
      contact: [this.#contactFor(uas.flow)],
      body,
      contentType: 'application/sdp',
      headers: [
        ...recordRoutesOf(uas.request),
        ['Supported', this.#supported()],
        ...sessionTimerHeaders(this.#sessionTimerDecision),
      ],
    });
    if (response === undefined) {
      // The CANCEL won the race: the transaction already answered 487.
      this.#end({ kind: 'remote-cancelled', text: 'The caller hung up' }, 487);
      return { ok: false, error: 'the caller hung up' };
    }
    this.#answeredAt = Math.floor(this.#env.clock.now());
    this.#subscriptions.push(
      uas.onAckOutcome((outcome) => {
        if (outcome === 'timed-out' && this.#phase === 'connecting') {
          // §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without receiving an
          // ACK, the dialog is confirmed, but the session SHOULD be terminated. This is accomplished with
          // a BYE".
          this.#dialog?.confirm();
          this.#hangUpWithBye({ kind: 'no-ack', text: 'The caller never confirmed the answer (no ACK)' });
        }
      }),
    );
    this.#transition('connecting', 'answered: 200 sent');
    this.#env.takesFocus(this);
    return { ok: true };
  }

  /** Refuse a ringing incoming call: 486 Busy Here or 603 Decline (RFC 3261 §21.4.24, §21.6.2). */
  reject(reason: 'busy' | 'decline' = 'decline'): CallCommandResult {
    if (this.direction !== 'incoming' || this.#phase !== 'ringing')
      return { ok: false, error: `the call is ${this.state}, not ringing here` };
    if (reason === 'busy') this.#rejectInvite(486, 'busy', 'Busy Here');
    else this.#rejectInvite(603, 'declined', 'Declined');
    return { ok: true };
  }

  /** End the call whatever its state: CANCEL, 603, or BYE. */
  hangup(): CallCommandResult {
    switch (this.#phase) {
      case 'dialing':
      case 'ringing':
      case 'early':
        if (this.direction === 'incoming') return this.reject('decline');
        this.#invite?.cancel();
        if (this.#invite !== undefined) this.#closing = this.#invite.settled;
        this.#end({ kind: 'cancelled', text: 'Cancelled before the answer' }, null);
        return { ok: true };
      case 'connecting':
      case 'active':
        this.#hangUpWithBye({ kind: 'local-hangup', text: 'Hung up' });
        return { ok: true };
      case 'ended':
        return { ok: true };
    }
  }

  /** Put the call on hold (RFC 3264 §8.4: our audio sendonly, or inactive when the peer holds us too). */
  hold(): CallCommandResult {
    if (!this.up && this.#phase !== 'connecting') return { ok: false, error: `the call is ${this.state}` };
    if (this.#wantHold) return { ok: true };
    this.#wantHold = true;
    this.#media.setHeld(true);
    this.#updates?.kick();
    return { ok: true };
  }

  resume(): CallCommandResult {
    if (!this.up) return { ok: false, error: `the call is ${this.state}` };
    this.#env.takesFocus(this);
    if (!this.#wantHold) return { ok: true };
    this.#wantHold = false;
    this.#updates?.kick();
    return { ok: true };
  }

  setMuted(muted: boolean): void {
    if (this.#media.muted === muted) return;
    this.#media.setMuted(muted);
    this.#changed();
  }

  /**
   * DTMF keys: RFC 4733 telephone-events when negotiated (mode auto/rfc4733), otherwise SIP INFO with
   * application/dtmf-relay (mode info, or auto without telephone-event).
   */
  sendDtmf(digits: string): CallCommandResult {
    if (!this.up && this.#phase !== 'early') return { ok: false, error: `the call is ${this.state}` };
    const keys = [...digits].map((c) => c.toUpperCase());
    if (keys.length === 0 || !keys.every((k): k is DtmfKey => isDtmfKey(k)))
      return { ok: false, error: 'DTMF keys are 0-9, *, #, A-D' };
    const mode = this.account.dtmfMode;
    const negotiatedEvents = this.#media.negotiated?.telephoneEvent !== undefined;
    const viaInfo = mode === 'info' || (mode === 'auto' && !negotiatedEvents) || this.#phase === 'early';
    if (!viaInfo) {
      const sent = this.#media.sendDtmf(keys, DTMF_DURATION_MS);
      if (!sent.ok)
        return {
          ok: false,
          error:
            sent.error === 'not-negotiated'
              ? 'the far end does not take RFC 4733 telephone-events'
              : `DTMF not sent (${sent.error})`,
        };
      return { ok: true };
    }
    if (this.#phase === 'early') return { ok: false, error: 'the call is not answered yet' };
    this.#infoQueue.push(...keys);
    void this.#sendInfoQueue();
    return { ok: true };
  }

  /** Blind transfer (RFC 3515): REFER with Refer-To: `target`; our call ends when the target answers. */
  transferTo(target: Uri): CallCommandResult {
    return this.#refer(target, formatUri(target));
  }

  /**
   * Attended transfer: REFER to the far end of `consultation` with Replaces naming that call's dialog
   * (RFC 3891 §3 / RFC 5589 §7), so the transferee's INVITE replaces our consultation call.
   */
  transferReplacing(consultation: Call): CallCommandResult {
    const d = consultation.dialog;
    if (d === undefined || d.state !== 'confirmed' || consultation.phase !== 'active')
      return { ok: false, error: 'the other call is not connected' };
    if (consultation === this) return { ok: false, error: 'a call cannot replace itself' };
    // The Refer-To is the remote party of the consultation dialog (its AoR: the proxy routes it), with
    // the Replaces header naming that dialog as the transfer target sees it: to-tag = its tag (our
    // remote tag), from-tag = ours.
    const replaces = `${d.id.callId};to-tag=${d.id.remoteTag ?? ''};from-tag=${d.id.localTag}`;
    const base = d.remote.uri;
    if (base.kind !== 'sip') return { ok: false, error: 'the other call is not to a SIP address' };
    const referTo: SipUri = { ...base, headers: [['Replaces', replaces]] };
    const sent = this.#refer(referTo, formatUri(base), () => consultation.#handedOver());
    if (sent.ok) consultation.#consultationOf = this;
    return sent;
  }

  /** The phone is closing: BYE (or CANCEL / 480) and end. */
  shutdown(): void {
    if (this.#phase === 'ended') return;
    if (this.direction === 'incoming' && this.#phase === 'ringing') {
      this.#rejectInvite(480, 'shutdown', 'The phone is shutting down');
      return;
    }
    if (this.#phase === 'connecting' || this.#phase === 'active') {
      this.#hangUpWithBye({ kind: 'shutdown', text: 'The phone was closed' });
      return;
    }
    this.#invite?.cancel();
    this.#end({ kind: 'shutdown', text: 'The phone was closed' }, null);
  }

  /**
   * Our attended transfer of this consultation call succeeded (the transferee's new call reached the
   * target). RFC 3891 §3: the target, having accepted the INVITE with Replaces, "terminates the replaced
   * dialog" — this one — with a BYE; should it not within CONSULTATION_END_WAIT_MS, we end it.
   */
  #handedOver(): void {
    if (!this.up) return;
    this.#phaseTimers.push(
      this.#env.clock.setTimer(CONSULTATION_END_WAIT_MS, () => this.#hangUpWithBye(this.#handedOverReason())),
    );
  }

  /** Is this the consultation call of our attended transfer, and was the transfer accepted? */
  #isHandedOver(): boolean {
    const state = this.#consultationOf?.transfer?.state;
    return state === 'trying' || state === 'succeeded';
  }

  #handedOverReason(): CallReason {
    const transferee = this.#consultationOf?.remote.uri ?? 'the other call';
    return { kind: 'transferred', text: `Transferred: ${this.remote.uri} now talks with ${transferee}` };
  }

  /** Another call replaced this one (INVITE with Replaces, RFC 3891 §3): BYE it. */
  replacedBy(): void {
    if (this.#phase === 'active' || this.#phase === 'connecting')
      this.#hangUpWithBye({ kind: 'replaced', text: 'Replaced by another call' });
    else this.hangup();
  }

  // ───────────────────────────── outgoing ─────────────────────────────

  async #startOutgoing(target: Uri, options: DialOptions): Promise<void> {
    const account = this.account;
    const timing = this.#env.timing;
    const headers: [string, string][] = [
      ...(options.headers ?? []).map(([n, v]): [string, string] => [n, v]),
    ];
    if (timing.sessionExpiresSec !== undefined)
      headers.push(['Session-Expires', String(timing.sessionExpiresSec)]);
    const request = this.#ua.createRequest({
      method: 'INVITE',
      uri: target,
      from: {
        uri: account.aor,
        ...(account.displayName !== undefined &&
          account.displayName !== '' && { displayName: account.displayName }),
        params: NO_PARAMS,
      },
      to: { uri: withoutHeaders(target), params: NO_PARAMS },
      headers,
      contentType: 'application/sdp',
    });
    request.headers.set('Supported', this.#supported());
    // The media sockets follow the signalling: the family of the flow the INVITE will leave on (its SDP
    // names the flow's local address), found by resolving the first hop as sending it will.
    const first = await this.#ua.firstTarget(request, routeFor(account));
    if (this.#hasEnded()) return;
    const opened = await this.#media.open(first?.family ?? familyOfUri(account.outboundProxy ?? target));
    if (this.#phase === 'ended') return;
    if (!opened.ok) {
      this.#end({ kind: 'network', text: `No media port: ${opened.message}` }, null);
      return;
    }
    const invite = new OutgoingInvite({
      ua: this.#ua,
      request,
      send: { ...routeFor(account), contact: this.#contactTemplate() },
      prepare: (req, flow) => {
        req.body = Buffer.from(buildSdp(this.#offerFor(flow)), 'utf8');
      },
      ...(account.digest !== undefined && { digest: account.digest }),
      retryAfter422: (response) => {
        const min = minSessionExpiresOf(response);
        return min === undefined
          ? undefined
          : [
              ['Session-Expires', String(min)],
              ['Min-SE', String(min)],
            ];
      },
      listener: {
        provisional: (response, dialog) => this.#provisional(response, dialog),
        answered: (response, dialog) => this.#answeredByPeer(response, dialog),
        failed: (failure) => this.#inviteFailed(failure),
      },
      log: (m) => this.#log('debug', m),
    });
    this.#invite = invite;
  }

  /** The phase now (read after an await, where the compiler's narrowing of `#phase` is stale). */
  #hasEnded(): boolean {
    return this.#phase === 'ended';
  }

  /**
   * Our offer for the flow the INVITE leaves on: its local address goes into `o=`/`c=`. The same offer
   * for every attempt over the same address (auth retries, redirects); a new session if the address
   * changed (failover to another interface).
   */
  #offerFor(flow: SipFlow): SessionDescription {
    const address = flow.local.address;
    const pending = this.#offerAnswer.pendingLocalOffer;
    if (pending !== undefined && this.#sdpAddress === address) return pending;
    if (pending !== undefined) {
      this.#offerAnswer.dispose();
      this.#offerAnswer = new OfferAnswer();
    }
    this.#sdpAddress = address;
    const offer = createOffer(this.#media.config(address));
    this.#offerAnswer.setLocalOffer(offer);
    return offer;
  }

  #provisional(response: SipResponse, dialog: Dialog | undefined): void {
    if (this.#phase === 'ended') return;
    if (dialog !== undefined) this.#env.bindDialog(dialog, this);
    const sdp = sdpOf(response);
    if (sdp !== undefined && this.#earlyAnswer === undefined && this.#offerAnswer.state === 'local-offer') {
      // RFC 3261 §13.2.1 / RFC 3264: the answer may come in a provisional response (early media); the
      // 2xx then repeats it.
      const result = this.#offerAnswer.setRemoteAnswer(sdp);
      if (result.ok) {
        this.#earlyAnswer = sdp;
        this.#applyNegotiation(result.media, 'offerer');
        if (this.#phase === 'dialing' || this.#phase === 'ringing')
          this.#transition('early', `${response.status} with SDP: early media`);
        return;
      }
      this.#log('warn', `early SDP unusable: ${result.failure.detail}`);
    }
    if (response.status === 180 && this.#phase === 'dialing') this.#transition('ringing', '180 Ringing');
    else if (response.status > 100 && this.#phase === 'dialing')
      this.#transition('ringing', `${response.status} ${response.reason}`);
  }

  #answeredByPeer(response: SipResponse, dialog: Dialog): void {
    if (this.#phase === 'ended') {
      // We hung up while the 2xx was on its way (CANCEL race): the INVITE machine ACKed it; BYE here.
      this.#ua.sendInDialog(dialog, 'BYE');
      return;
    }
    this.#dialog = dialog;
    this.#env.bindDialog(dialog, this);
    this.#peerAllowsUpdate = allows(response, 'UPDATE');
    const sdp = sdpOf(response);
    let failure: string | undefined;
    if (this.#offerAnswer.state === 'local-offer') {
      if (sdp === undefined) failure = 'the answer carried no session description';
      else {
        const result = this.#offerAnswer.setRemoteAnswer(sdp);
        if (result.ok) this.#applyNegotiation(result.media, 'offerer');
        else failure = result.failure.detail;
      }
    } else if (sdp !== undefined && this.#earlyAnswer !== undefined && !sameOrigin(sdp, this.#earlyAnswer)) {
      // The 2xx repeats the answer of the provisional response (RFC 3261 §13.2.1: "the UAC MUST treat
      // the first session description it receives as the answer, and MUST ignore any session
      // descriptions in subsequent responses to the initial INVITE").
      this.#log(
        'info',
        'the 2xx carries another session description than the early one: ignored (RFC 3261 §13.2.1)',
      );
    }
    this.#answeredAt = Math.floor(this.#env.clock.now());
    this.#transition('active', `${response.status} ${response.reason}`);
    const timer = uacSessionTimer(response);
    if (timer !== undefined) this.#sessionTimer?.start(timer.seconds, timer.weRefresh);
    if (failure !== undefined) {
      this.#log('warn', `the answer is unusable: ${failure}`);
      this.#hangUpWithBye({ kind: 'no-common-codec', text: `No common audio format: ${failure}` });
      return;
    }
    this.#env.takesFocus(this);
  }

  #inviteFailed(failure: InviteFailure): void {
    if (this.#phase === 'ended') return;
    this.#end(failure.reason, failure.sipCode);
  }

  // ───────────────────────────── incoming ─────────────────────────────

  #startIncoming(uas: UasRequest): void {
    const request = uas.request;
    const body = request.body;
    if (body.length > 0) {
      const parsed = parseSdp(body.toString('utf8'));
      if (!parsed.ok) {
        this.#rejectInvite(400, 'rejected', `Bad Request (SDP: ${parsed.error.reason})`);
        return;
      }
      this.#remoteOffer = parsed.sdp;
      // RFC 3264 §6: "If there are no media formats in common for all streams, the entire offered
      // session is rejected" — with 488, before ringing anyone.
      const probe = createAnswer(parsed.sdp, {
        endpoint: { address: '192.0.2.1', port: 9 },
        codecs: this.account.codecs,
        origin: { sessionId: '0' },
        // The account's SRTP policy decides too: RTP/SAVP without it, plain RTP when it is required.
        srtp: this.#media.sdes,
      });
      if (!probe.ok) {
        this.#rejectInvite(488, 'no-common-codec', probe.failure.detail);
        return;
      }
    }
    this.#sessionTimerDecision = uasSessionTimer(request);
    if (this.#sessionTimerDecision.kind === 'too-small') {
      // RFC 4028 §9: "the UAS MUST reject it with a 422 [...] The response MUST contain a Min-SE".
      this.#rejectInvite(422, 'rejected', 'Session Interval Too Small', [
        ['Min-SE', String(this.#sessionTimerDecision.minSec)],
      ]);
      return;
    }
    const created = this.#ua.dialogs.fromUasRequest(request, uas.toTag, uas.flow.secure, 'early');
    if (!created.ok) {
      this.#rejectInvite(400, 'rejected', created.reason);
      return;
    }
    this.#dialog = created.dialog;
    this.#env.bindDialog(created.dialog, this);
    this.#peerAllowsUpdate = allows(request, 'UPDATE');
    this.#subscriptions.push(
      uas.onCancel(() => {
        // §9.2: the UA answers 200 to the CANCEL and 487 to the INVITE right after us.
        if (this.#phase === 'ringing')
          this.#end({ kind: 'remote-cancelled', text: 'The caller hung up before the answer' }, 487);
      }),
    );
    // RFC 3261 §13.3.1.1 / RFC 3665 §3.1: 100 Trying at once, then "the UAS [...] SHOULD send a 180
    // (Ringing)" — with our Contact, as it creates the early dialog.
    uas.respond(100);
    uas.respond(180, { contact: [this.#contactFor(uas.flow)], headers: recordRoutesOf(request) });
    void this.#media.open(mediaFamilyOf(uas.flow, this.#remoteOffer), this.#remoteOffer);
    this.#enterPhase('ringing');
  }

  /** A final non-2xx for the INVITE we received, and the end of the call. */
  #rejectInvite(
    status: number,
    kind: CallReason['kind'],
    text: string,
    headers: readonly (readonly [string, string])[] = [],
  ): void {
    const uas = this.#uas;
    if (uas !== undefined && uas.transaction !== undefined && !uas.transaction.terminated) {
      // Standard reason phrases on the wire, except a 400 that says what was wrong (§21.4.1).
      uas.respond(status, { ...(status === 400 && { reason: reasonPhraseOf(text) }), headers: [...headers] });
    }
    this.#dialog?.terminate(`${status} sent`);
    this.#end({ kind, text }, status);
  }

  /** The ACK for our 2xx (initial INVITE or re-INVITE). */
  receiveAck(ack: SipRequest): void {
    if (this.#phase === 'ended') return;
    const pending = this.#remoteInvite;
    if (pending !== undefined && ack.cseq.seq === pending.request.cseq.seq) {
      this.#remoteInvite = undefined;
      this.#answerInAck(ack);
      this.#updates?.kick();
      return;
    }
    if (
      this.#phase === 'connecting' &&
      this.#uas !== undefined &&
      ack.cseq.seq === this.#uas.request.cseq.seq
    ) {
      this.#dialog?.confirm();
      this.#answerInAck(ack);
      if (this.#phase !== 'connecting') return;
      this.#transition('active', 'ACK');
      if (this.#sessionTimerDecision.kind === 'use') {
        this.#sessionTimer?.start(
          this.#sessionTimerDecision.seconds,
          this.#sessionTimerDecision.refresher === 'uas',
        );
      }
    }
  }

  /** §13.3.1.4 / RFC 3264: when our 2xx carried the offer, the ACK carries the answer. */
  #answerInAck(ack: SipRequest): void {
    if (this.#offerAnswer.state !== 'local-offer') return;
    const sdp = sdpOf(ack);
    if (sdp === undefined) {
      this.#offerAnswer.rollback('the ACK carried no answer');
      if (this.#media.negotiated === undefined)
        this.#hangUpWithBye({ kind: 'no-common-codec', text: 'The caller sent no session description' });
      return;
    }
    const result = this.#offerAnswer.setRemoteAnswer(sdp);
    if (result.ok) this.#applyNegotiation(result.media, 'offerer');
    else if (this.#media.negotiated === undefined)
      this.#hangUpWithBye({
        kind: 'no-common-codec',
        text: `No common audio format: ${result.failure.detail}`,
      });
  }

  // ───────────────────────────── in the dialog ─────────────────────────────

  /** A request in one of our dialogs (the agent routes it here). */
  receiveRequest(uas: UasRequest): void {
    const request = uas.request;
    switch (request.method) {
      case 'BYE':
        return this.#receiveBye(uas);
      case 'INVITE':
        return this.#receiveReinvite(uas);
      case 'UPDATE':
        return this.#receiveUpdate(uas);
      case 'INFO':
        return this.#receiveInfo(uas);
      case 'REFER':
        return this.#receiveRefer(uas);
      case 'NOTIFY':
        return this.#receiveNotify(uas);
      case 'OPTIONS':
        // RFC 3261 §11.2 inside a dialog: what we can do in this session.
        uas.respond(200, {
          headers: [
            ['Accept', 'application/sdp'],
            ['Supported', this.#supported()],
          ],
        });
        return;
      default:
        uas.respond(405, { headers: [['Allow', this.#ua.allowedMethods().join(', ')]] });
    }
  }

  /** RFC 3261 §15.1.2: "the UAS [...] MUST generate a 2xx response to the BYE, and terminate the session". */
  #receiveBye(uas: UasRequest): void {
    uas.respond(200);
    if (this.#phase === 'ended') return;
    if (this.direction === 'incoming' && this.#phase === 'ringing') {
      // A BYE on the early dialog before we answered: the caller is gone (answer the INVITE with 487).
      this.#rejectInvite(487, 'remote-cancelled', 'The caller hung up before the answer');
      return;
    }
    this.#dialog?.terminate('BYE received');
    const answered = this.#answeredAt !== null;
    // The consultation call of our accepted attended transfer: the target's BYE ends the dialog its
    // INVITE with Replaces took over (RFC 3891 §3) — the transfer did that, not a hang-up.
    this.#end(
      !answered
        ? { kind: 'rejected', text: 'The other side ended the call before it was answered' }
        : this.#isHandedOver()
          ? this.#handedOverReason()
          : { kind: 'remote-hangup', text: 'The other side hung up' },
      null,
    );
  }

  /** A re-INVITE (RFC 3261 §14.2). */
  #receiveReinvite(uas: UasRequest): void {
    if (this.#phase !== 'active' && this.#phase !== 'connecting') {
      uas.respond(this.#phase === 'ended' ? 481 : 491);
      return;
    }
    // §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that dialog is in
    // progress MUST return a 491 (Request Pending) response to the received INVITE."
    if (this.#updates?.state === 'in-progress' || this.#offerAnswer.state === 'local-offer') {
      uas.respond(491);
      return;
    }
    // §14.2: "A UAS that receives a second INVITE before it sends the final response to a first INVITE
    // with a lower CSeq sequence number on the same dialog MUST return a 500 (Server Internal Error)
    // response to the second INVITE and MUST include a Retry-After header field with a randomly chosen
    // value of between 0 and 10 seconds."
    if (this.#remoteInvite !== undefined || this.#offerAnswer.state === 'remote-offer') {
      uas.respond(500, { headers: [['Retry-After', String(Math.floor(this.#env.random() * 11))]] });
      return;
    }
    const offer = this.#readOffer(uas);
    if (offer === 'bad') return;
    const timer = uasSessionTimer(uas.request);
    if (timer.kind === 'too-small') {
      uas.respond(422, { headers: [['Min-SE', String(timer.minSec)]] });
      return;
    }
    const answer = this.#answerOffer(uas, offer);
    if (answer === undefined) return;
    const sent = uas.respond(200, {
      contact: [this.#contactFor(uas.flow)],
      body: buildSdp(answer),
      contentType: 'application/sdp',
      headers: [['Supported', this.#supported()], ...sessionTimerHeaders(timer)],
    });
    if (sent === undefined) return;
    this.#remoteInvite = uas;
    this.#subscriptions.push(
      uas.onAckOutcome((outcome) => {
        if (outcome === 'timed-out' && this.#remoteInvite === uas) {
          this.#remoteInvite = undefined;
          this.#hangUpWithBye({ kind: 'no-ack', text: 'The other side never confirmed our answer (no ACK)' });
        }
      }),
    );
    this.#refreshedBy(timer);
    this.#changed();
  }

  /** An UPDATE (RFC 3311): a session refresh, or an offer answered in its 2xx. */
  #receiveUpdate(uas: UasRequest): void {
    if (this.#phase === 'ended') {
      uas.respond(481);
      return;
    }
    const offer = this.#readOffer(uas);
    if (offer === 'bad') return;
    // RFC 3311 §5.2: "If an UPDATE is received that contains an offer, and the UAS has generated an offer
    // [...] in a response [...] that has not been answered, the UAS MUST reject the UPDATE with a 491".
    if (offer !== undefined && this.#offerAnswer.state !== 'stable') {
      uas.respond(this.#offerAnswer.state === 'local-offer' ? 491 : 500, {
        headers: this.#offerAnswer.state === 'local-offer' ? [] : [['Retry-After', '1']],
      });
      return;
    }
    const timer = uasSessionTimer(uas.request);
    if (timer.kind === 'too-small') {
      uas.respond(422, { headers: [['Min-SE', String(timer.minSec)]] });
      return;
    }
    if (offer === undefined) {
      uas.respond(200, {
        contact: [this.#contactFor(uas.flow)],
        headers: [['Supported', this.#supported()], ...sessionTimerHeaders(timer)],
      });
      this.#refreshedBy(timer);
      return;
    }
    const answer = this.#answerOffer(uas, offer);
    if (answer === undefined) return;
    uas.respond(200, {
      contact: [this.#contactFor(uas.flow)],
      body: buildSdp(answer),
      contentType: 'application/sdp',
      headers: [['Supported', this.#supported()], ...sessionTimerHeaders(timer)],
    });
    this.#refreshedBy(timer);
    this.#changed();
  }

  /** The session description of a request, undefined without one; 'bad' once answered 400. */
  #readOffer(uas: UasRequest): SessionDescription | undefined | 'bad' {
    if (uas.request.body.length === 0) return undefined;
    const parsed = parseSdp(uas.request.body.toString('utf8'));
    if (!parsed.ok) {
      uas.respond(400, { reason: `Bad Request (SDP: ${parsed.error.reason})`.slice(0, 120) });
      return 'bad';
    }
    return parsed.sdp;
  }

  /**
   * Our description for the 2xx of a re-INVITE/UPDATE: the answer to its offer (hold, resume, address
   * change → media update), or — for a re-INVITE without one — our offer (answer in the ACK).
   * Undefined when it was refused (488 sent).
   */
  #answerOffer(uas: UasRequest, offer: SessionDescription | undefined): SessionDescription | undefined {
    const address = this.#sdpAddress ?? uas.flow.local.address;
    this.#sdpAddress = address;
    if (offer === undefined) {
      const ours = createOffer(
        this.#media.config(address, this.#ourDirection()),
        this.#offerAnswer.lastLocalDescription,
        this.#offerAnswer.remoteDescription,
      );
      this.#offerAnswer.setLocalOffer(ours);
      return ours;
    }
    this.#offerAnswer.setRemoteOffer(offer);
    const answer = createAnswer(
      offer,
      this.#media.config(address, this.#ourDirection(), offer),
      this.#offerAnswer.lastLocalDescription,
    );
    if (!answer.ok) {
      // RFC 3261 §14.2: "If the UAS [...] cannot accept the changes, it [...] MUST [...] respond with 488
      // (Not Acceptable Here)"; the session goes on as it was.
      this.#offerAnswer.rollback(answer.failure.detail);
      uas.respond(488);
      return undefined;
    }
    this.#offerAnswer.setLocalAnswer(answer.answer);
    this.#applyNegotiation(answer.media, 'answerer');
    return answer.answer;
  }

  /** A refresh (re-INVITE/UPDATE) we received restarts the session timer (RFC 4028 §10). */
  #refreshedBy(timer: UasSessionTimerDecision): void {
    if (timer.kind === 'use') this.#sessionTimer?.start(timer.seconds, timer.refresher === 'uas');
  }

  /** SIP INFO: DTMF (application/dtmf-relay, application/dtmf); other INFOs are acknowledged. */
  #receiveInfo(uas: UasRequest): void {
    const request = uas.request;
    const type = request.headers.first(Header.ContentType);
    if (request.body.length > 0 && type.ok && type.value !== undefined) {
      const media = `${type.value.type}/${type.value.subtype}`.toLowerCase();
      if (media === DTMF_RELAY || media === DTMF_PLAIN) {
        const dtmf = parseDtmfBody(media, request.body.toString('utf8'));
        if (dtmf === undefined) {
          uas.respond(400, { reason: 'Bad Request (no DTMF signal)' });
          return;
        }
        uas.respond(200);
        this.#dtmfArrived(dtmf.key, 'info');
        return;
      }
    }
    uas.respond(200);
  }

  /** A REFER (RFC 3515 §2.4.2): accept it and call the target; our NOTIFYs tell how that goes. */
  #receiveRefer(uas: UasRequest): void {
    const dialog = this.#dialog;
    if (this.#phase !== 'active' || dialog === undefined) {
      uas.respond(this.#phase === 'ended' ? 481 : 491);
      return;
    }
    const referTo = uas.request.headers.all(Header.ReferTo);
    // §2.4.1: "A REFER request MUST contain exactly one Refer-To header field value."
    if (!referTo.ok || referTo.value.length !== 1 || referTo.value[0]?.uri.kind !== 'sip') {
      uas.respond(400, { reason: 'Bad Request (one sip: Refer-To required)' });
      return;
    }
    if (this.#incomingTransfer?.state === 'active') {
      uas.respond(491);
      return;
    }
    const target = referTo.value[0].uri;
    const headers: [string, string][] = target.headers
      .filter(([name]) => name.toLowerCase() === 'replaces')
      .map(([name, value]): [string, string] => [name, value]);
    const referredBy = uas.request.headers.get('Referred-By');
    if (referredBy !== undefined) headers.push(['Referred-By', referredBy]);
    // RFC 3515 §2.4.2: "the UA [...] MUST [...] respond with a 202 (Accepted)" when it will try.
    uas.respond(202);
    const transfer = new IncomingTransfer({
      ua: this.#ua,
      dialog,
      refer: uas.request,
      target: formatUri(withoutHeaders(target)),
    });
    this.#incomingTransfer = transfer;
    // §2.4.4: "the agent MUST send a NOTIFY [...] immediately after the acceptance" — 100 Trying first.
    transfer.report(100, 'Trying');
    this.#changed();
    const placed = this.#env.placeTransferCall(this, withoutHeaders(target), headers);
    if (placed === undefined) {
      transfer.report(503, 'Service Unavailable');
      this.#changed();
      return;
    }
    const sub = placed.onChange((next) => {
      if (next.phase === 'ringing') transfer.report(180, 'Ringing');
      else if (next.phase === 'active') transfer.report(200, 'OK');
      else if (next.phase === 'ended') {
        const status = next.sipCode !== null && next.sipCode >= 300 ? next.sipCode : 503;
        const phrase = (next.reason?.text ?? 'Service Unavailable').replace(/^\d{3} /, '');
        transfer.report(status, status === 503 && next.sipCode === null ? 'Service Unavailable' : phrase);
      }
      if (next.phase === 'active' || next.phase === 'ended') sub.dispose();
      this.#changed();
    });
    this.#subscriptions.push(sub);
  }

  /** NOTIFY for our REFER's implicit subscription (Event: refer, RFC 3515 §2.4.4). */
  #receiveNotify(uas: UasRequest): void {
    const event = uas.request.headers.first(Header.Event);
    const transfer = this.#outgoingTransfer;
    if (!event.ok || event.value?.type.toLowerCase() !== 'refer' || transfer === undefined) {
      // RFC 6665 §4.1.3: "489 (Bad Event)" for an event package we did not subscribe to.
      uas.respond(transfer === undefined ? 481 : 489);
      return;
    }
    uas.respond(transfer.receiveNotify(uas.request));
  }

  #refer(referTo: Uri, targetText: string, onSucceeded: () => void = () => {}): CallCommandResult {
    const dialog = this.#dialog;
    if (this.#phase !== 'active' || dialog === undefined)
      return { ok: false, error: `the call is ${this.state}` };
    if (
      this.#outgoingTransfer !== undefined &&
      (this.#outgoingTransfer.state === 'requesting' || this.#outgoingTransfer.state === 'accepted')
    ) {
      return { ok: false, error: 'a transfer is already in progress' };
    }
    const transfer = new OutgoingTransfer({
      clock: this.#env.clock,
      target: targetText,
      listener: {
        changed: () => this.#changed(),
        succeeded: () => {
          this.#hangUpWithBye({ kind: 'transferred', text: `Transferred to ${targetText}` });
          onSucceeded();
        },
      },
      log: (m) => this.#log('info', m),
    });
    this.#outgoingTransfer = transfer;
    const ours = this.account.aor;
    const sending = this.#sendInDialog('REFER', {
      headers: [
        ['Refer-To', `<${formatUri(referTo)}>`],
        ['Referred-By', `<${formatUri(ours)}>`],
      ],
    });
    if (sending === undefined) return { ok: false, error: 'the dialog is over' };
    void sending.then(({ outcome, request }) => {
      transfer.referSeq = request.cseq.seq;
      if (outcome.kind === 'final') transfer.referAnswered(outcome.response.status);
      else transfer.referFailed(outcome.kind);
    });
    this.#changed();
    return { ok: true };
  }

  // ───────────────────────────── our session modifications ─────────────────────────────

  /** What our audio direction should be: sendonly when we hold, inactive when we hold a holding peer. */
  #ourDirection(): Direction {
    if (!this.#wantHold) return 'sendrecv';
    return 'sendonly';
  }

  /** SessionUpdateClient's host: the next re-INVITE/UPDATE, if one is still wanted. */
  #startUpdate(): Promise<SessionUpdateOutcome> | undefined {
    const dialog = this.#dialog;
    if (this.#phase !== 'active' || dialog === undefined || dialog.state !== 'confirmed') return undefined;
    const last = this.#offerAnswer.lastLocalDescription;
    if (this.#offerAnswer.state !== 'stable' || last === undefined) return undefined;
    const holdChange = this.#wantHold !== this.#sessionHeld;
    const reoffer = this.#reofferWanted;
    if (!holdChange && !this.#refreshWanted && !reoffer) return undefined;
    const refreshing = this.#refreshWanted;
    this.#refreshWanted = false;
    this.#reofferWanted = false;
    const timerHeaders: [string, string][] =
      this.#sessionTimer !== undefined && this.#sessionTimer.state !== 'off'
        ? [['Session-Expires', `${this.#sessionTimer.intervalSec};refresher=uac`]]
        : [];
    if (!holdChange && !reoffer && this.#peerAllowsUpdate) {
      // RFC 4028 §7.4: UPDATE is the lighter refresh (no offer needed).
      const sending = this.#sendInDialog(
        'UPDATE',
        { headers: [['Supported', this.#supported()], ...timerHeaders] },
        (r) => this.#refreshAnswered(r),
      );
      if (sending === undefined) return undefined;
      return sending.then(({ outcome }) => this.#updateAnswered(outcome, undefined, refreshing));
    }
    const wantHold = this.#wantHold;
    const holdDirection = this.#remoteHold ? 'inactive' : 'sendonly';
    let offer: SessionDescription;
    if (reoffer) {
      // The transport's description now (RFC 8839: the updated offer's selected candidates, or an ICE
      // restart's new credentials), with the direction we want.
      const address = this.#sdpAddress ?? last.origin.address;
      offer = createOffer(
        this.#media.config(address, wantHold ? holdDirection : 'sendrecv'),
        last,
        this.#offerAnswer.remoteDescription,
      );
    } else if (!holdChange) offer = last;
    else if (wantHold) offer = holdOffer(last, holdDirection);
    else offer = resumeOffer(last);
    this.#offerAnswer.setLocalOffer(offer);
    const sending = this.#sendInDialog(
      'INVITE',
      {
        body: buildSdp(offer),
        contentType: 'application/sdp',
        headers: [['Supported', this.#supported()], ...timerHeaders],
      },
      (r) => {
        this.#ackReinvite(r);
        this.#refreshAnswered(r);
      },
    );
    if (sending === undefined) {
      this.#offerAnswer.rollback('dialog over');
      return undefined;
    }
    return sending.then(({ outcome, request }) =>
      this.#updateAnswered(outcome, { request, wantHold, holdChange, reoffer }, refreshing),
    );
  }

  #updateAnswered(
    outcome: RequestOutcome,
    invite: { request: SipRequest; wantHold: boolean; holdChange: boolean; reoffer: boolean } | undefined,
    refreshing: boolean,
  ): SessionUpdateOutcome {
    if (this.#phase === 'ended') return 'failed';
    const offered = invite !== undefined && this.#offerAnswer.state === 'local-offer';
    if (outcome.kind !== 'final') {
      if (offered) this.#offerAnswer.rollback(outcome.kind);
      // RFC 5057 §5.1: a timeout to a request in the dialog ends the dialog usage.
      this.#hangUpWithBye({ kind: 'dialog-gone', text: 'The other side stopped answering' });
      return 'failed';
    }
    const response = outcome.response;
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (offered) {
        const sdp = sdpOf(response);
        const result = sdp === undefined ? undefined : this.#offerAnswer.setRemoteAnswer(sdp);
        if (result === undefined) this.#offerAnswer.rollback('no answer in the 2xx');
        else if (result.ok) {
          // Held or not as of this answer before the media applies it: the media transport reports
          // its update at once, and that snapshot must not show a state in between (our hold of a
          // holding peer: neither `remote-held` nor `held`, hence `active`).
          if (invite.holdChange) this.#sessionHeld = invite.wantHold;
          this.#applyNegotiation(result.media, 'offerer');
          if (this.state === 'ended') return 'failed';
          this.#media.setHeld(this.#wantHold || this.#sessionHeld);
        } else this.#log('warn', `re-INVITE answer unusable: ${result.failure.detail}`);
      }
      this.#changed();
      return 'done';
    }
    if (offered) this.#offerAnswer.rollback(`${status} ${response.reason}`);
    if (status === 491) {
      if (refreshing) this.#refreshWanted = true;
      if (invite?.reoffer === true) this.#reofferWanted = true;
      return 'glare';
    }
    // RFC 5057 §5.1: 481 and 408 to a mid-dialog request terminate the dialog.
    if (status === 481 || status === 408) {
      this.#hangUpWithBye({ kind: 'dialog-gone', text: `${status} ${response.reason}` });
      return 'failed';
    }
    this.#log(
      'warn',
      `${invite !== undefined ? 're-INVITE' : 'UPDATE'} refused: ${status} ${response.reason}`,
    );
    // The modification did not happen: give up the wish so that we do not loop.
    if (invite !== undefined && invite.holdChange) this.#wantHold = this.#sessionHeld;
    this.#media.setHeld(this.#wantHold || this.#sessionHeld);
    this.#changed();
    return 'failed';
  }

  /**
   * RFC 3261 §13.2.2.4 for our re-INVITEs: every 2xx (each retransmission too) gets the ACK, "constructed
   * in the same way as for any request sent within a dialog" with the INVITE's CSeq number.
   */
  #ackReinvite(response: SipResponse): void {
    const dialog = this.#dialog;
    if (
      response.status < 200 ||
      response.status >= 300 ||
      response.cseq.method !== 'INVITE' ||
      dialog === undefined ||
      dialog.state === 'terminated'
    )
      return;
    const seq = response.cseq.seq;
    const sent = this.#reinviteAcks.get(seq);
    if (sent !== undefined) {
      void sent.then((ack) => {
        if (ack.flow !== undefined && !ack.flow.closed)
          this.#ua.transactions.sendStateless(ack.request, ack.flow);
      });
      return;
    }
    // One ACK per re-INVITE; older ones are forgotten.
    this.#reinviteAcks.clear();
    this.#reinviteAcks.set(
      seq,
      this.#ua.sendAck(dialog, seq).then((r) => ({ request: r.request, flow: r.flow })),
    );
  }

  /**
   * A 2xx to our re-INVITE/UPDATE is a session refresh (RFC 4028 §7.4/§8): the interval it names starts
   * again now; without Session-Expires in it the timer keeps the interval it had.
   */
  #refreshAnswered(response: SipResponse): void {
    const timer = this.#sessionTimer;
    if (response.status >= 300 || timer === undefined || this.#phase !== 'active') return;
    const negotiated = uacSessionTimer(response);
    if (negotiated !== undefined) timer.start(negotiated.seconds, negotiated.weRefresh);
    else if (timer.state !== 'off') timer.start(timer.intervalSec, true);
  }

  // ───────────────────────────── helpers ─────────────────────────────

  /**
   * A request in our dialog through the UA, answering one 401/407 with the account's credentials
   * (RFC 3261 §22.2: the retry is a new request, CSeq + 1). Undefined when the dialog is over.
   */
  #sendInDialog(
    method: string,
    options: DialogRequestOptions,
    onFinal?: (response: SipResponse) => void,
  ): Promise<{ outcome: RequestOutcome; request: SipRequest }> | undefined {
    const dialog = this.#dialog;
    if (dialog === undefined || dialog.state === 'terminated') return undefined;
    const contactTemplate = this.#contactTemplate();
    const send = (
      auth: readonly (readonly [string, string])[],
      retried: boolean,
    ): Promise<{ outcome: RequestOutcome; request: SipRequest }> => {
      const out = this.#ua.sendInDialog(dialog, method, {
        ...options,
        headers: [...(options.headers ?? []), ...auth],
        contactTemplate,
        // Final responses as they arrive (not a promise turn later): a session timer restarts exactly then.
        ...(onFinal !== undefined && {
          user: {
            onResponse: (response) => {
              if (response.status >= 200 && response.status !== 401 && response.status !== 407)
                onFinal(response);
            },
          },
        }),
      });
      return out.result.then((outcome) => {
        const digest = this.account.digest;
        const challenged =
          outcome.kind === 'final' && (outcome.response.status === 401 || outcome.response.status === 407);
        if (!retried && challenged && digest !== undefined && dialog.state !== 'terminated') {
          const exchange = digest.begin({
            method,
            uri: formatUri(out.request.uri),
            body: out.request.body,
            callId: out.request.callId,
          });
          const answer = exchange.answer({
            status: outcome.response.status,
            wwwAuthenticate: outcome.response.headers.getAll('WWW-Authenticate'),
            proxyAuthenticate: outcome.response.headers.getAll('Proxy-Authenticate'),
          });
          if (answer.kind === 'retry')
            return send(
              answer.headers.map((h): [string, string] => [h.name, h.value]),
              true,
            );
        }
        return { outcome, request: out.request };
      });
    };
    return send([], false);
  }

  #hangUpWithBye(reason: CallReason): void {
    if (this.#phase === 'ended') return;
    const dialog = this.#dialog;
    const uas = this.#uas;
    if (
      this.#phase === 'connecting' &&
      uas !== undefined &&
      uas.retransmission?.state === 'waiting-ack' &&
      dialog !== undefined
    ) {
      // RFC 3261 §15: "the callee's UA MUST NOT send a BYE on a confirmed dialog until it has received an
      // ACK for its 2xx response or until the server transaction times out" — the BYE waits for either.
      this.#closing = new Promise<void>((resolve) => {
        const sub = uas.onAckOutcome(() => {
          sub.dispose();
          dialog.confirm();
          const sending = this.#sendInDialog('BYE', {});
          if (sending === undefined) {
            resolve();
            return;
          }
          void sending.then(() => {
            dialog.terminate('BYE done');
            resolve();
          });
        });
      });
      this.#end(reason, null);
      return;
    }
    if (dialog !== undefined && dialog.state !== 'terminated') {
      if (dialog.state === 'early') dialog.confirm();
      const sending = this.#sendInDialog('BYE', {});
      if (sending !== undefined) {
        this.#closing = sending.then(() => {
          dialog.terminate('BYE done');
        });
      }
    }
    this.#end(reason, null);
  }

  async #sendInfoQueue(): Promise<void> {
    if (this.#infoSending) return;
    this.#infoSending = true;
    try {
      for (let key = this.#infoQueue.shift(); key !== undefined; key = this.#infoQueue.shift()) {
        if (this.#phase === 'ended') break;
        const sending = this.#sendInDialog('INFO', {
          body: dtmfRelayBody(key, DTMF_DURATION_MS),
          contentType: DTMF_RELAY,
        });
        if (sending === undefined) break;
        const { outcome } = await sending;
        if (outcome.kind !== 'final' || outcome.response.status >= 300)
          this.#log(
            'warn',
            `INFO DTMF ${key} refused (${outcome.kind === 'final' ? outcome.response.status : outcome.kind})`,
          );
      }
    } finally {
      this.#infoSending = false;
      this.#infoQueue = [];
    }
  }

  #dtmfArrived(key: DtmfKey, via: 'rfc4733' | 'info'): void {
    if (this.#phase === 'ended') return;
    this.#dtmfReceived = (this.#dtmfReceived + (key === 'flash' ? '!' : key)).slice(-64);
    this.#log('info', `DTMF ${key} received (${via})`);
    this.#dtmf.emit({ key, via });
    this.#changed();
  }

  /** A completed offer/answer; `role`: whether our description was the offer (ICE roles follow it). */
  #applyNegotiation(media: NegotiatedMedia, role: 'offerer' | 'answerer'): void {
    this.#remoteHold = media.remoteHold;
    const local = this.#offerAnswer.localDescription;
    const remote = this.#offerAnswer.remoteDescription;
    this.#media.apply(
      media,
      role,
      local !== undefined && remote !== undefined ? { local, remote } : undefined,
    );
  }

  /**
   * The media transport lost the path for good (ICE failed, or consent was lost and a restart found no
   * new path): the call cannot carry audio, so it ends — with a BYE once answered, a CANCEL before.
   */
  #mediaFailed(reason: CallReason): void {
    this.#log('warn', `media path failed: ${reason.text}`);
    switch (this.#phase) {
      case 'connecting':
      case 'active':
        this.#hangUpWithBye(reason);
        return;
      case 'dialing':
      case 'ringing':
      case 'early':
        if (this.direction === 'incoming') {
          this.#rejectInvite(488, reason.kind, reason.text);
          return;
        }
        this.#invite?.cancel();
        if (this.#invite !== undefined) this.#closing = this.#invite.settled;
        this.#end(reason, null);
        return;
      case 'ended':
        return;
    }
  }

  #supported(): string {
    return [...new Set([...this.#ua.supported, ...CALL_OPTION_TAGS])].join(', ');
  }

  #contactTemplate(): ContactTemplate {
    const user = this.account.aor.user;
    return { ...(user !== undefined && { user }), useMappedAddress: true };
  }

  #contactFor(flow: SipFlow): ReturnType<SipUserAgent['contactFor']> {
    return this.#ua.contactFor(flow, this.#contactTemplate());
  }

  #log(level: CallLogLevel, message: string): void {
    this.#env.log(level, `call ${this.id}: ${message}`);
  }

  #changed(): void {
    this.#changes.emit(this);
  }

  // ───────────────────────────── the machine ─────────────────────────────

  #transition(to: CallPhase, cause: string): void {
    const from = this.#phase;
    if (!LEGAL[from].includes(to))
      throw new Error(`call ${this.id}: illegal transition ${from} → ${to} (${cause})`);
    this.#leavePhase(from, to);
    this.#phase = to;
    this.#log('info', `${from} → ${to} (${cause})`);
    this.#enterPhase(to);
    this.#changed();
  }

  #leavePhase(from: CallPhase, to: CallPhase): void {
    for (const timer of this.#phaseTimers.splice(0)) timer.cancel();
    // The no-answer limit belongs to dialing/ringing/early together: it goes with the answer or the end.
    if (to === 'active' || to === 'ended') {
      this.#noAnswerTimer?.cancel();
      this.#noAnswerTimer = undefined;
    }
    if (from === 'active') {
      this.#updates?.close();
      this.#sessionTimer?.stop();
    }
  }

  #enterPhase(phase: CallPhase): void {
    const clock = this.#env.clock;
    const timing = this.#env.timing;
    switch (phase) {
      case 'dialing':
        this.#armNoAnswer(timing.noAnswerMs);
        return;
      case 'early':
        return;
      case 'ringing':
        if (this.direction === 'outgoing') return;
        this.#phaseTimers.push(
          clock.setTimer(timing.ringTimeoutMs, () => {
            if (this.#phase === 'ringing') this.#rejectInvite(480, 'no-answer', 'Nobody answered');
          }),
        );
        this.#armAutoAnswer();
        return;
      case 'active':
        this.#sessionTimer = new SessionTimer({
          clock,
          onRefresh: () => {
            this.#refreshWanted = true;
            this.#updates?.kick();
          },
          onExpired: () =>
            this.#hangUpWithBye({
              kind: 'session-expired',
              text: 'The session timer ran out (no refresh from the other side)',
            }),
          log: (m) => this.#log('debug', m),
        });
        this.#updates = new SessionUpdateClient({
          clock,
          random: this.#env.random,
          callIdOwner: this.direction === 'outgoing',
          host: {
            canStart: () =>
              this.#remoteInvite === undefined &&
              this.#offerAnswer.state === 'stable' &&
              this.#dialog?.state === 'confirmed',
            start: () => this.#startUpdate(),
          },
          log: (m) => this.#log('debug', m),
        });
        // A hold asked for while connecting goes out now.
        queueMicrotask(() => this.#updates?.kick());
        return;
      case 'connecting':
      case 'ended':
        return;
    }
  }

  /** Outgoing: CANCEL after ringing too long (counted from the dial; spans dialing, ringing and early). */
  #armNoAnswer(ms: number): void {
    this.#noAnswerTimer = this.#env.clock.setTimer(ms, () => {
      this.#noAnswerTimer = undefined;
      this.#invite?.cancel();
      this.#end({ kind: 'no-answer', text: `No answer within ${Math.round(ms / 1000)} s` }, null);
    });
  }

  /** Auto-answer: the account's setting, or the caller's Call-Info answer-after (intercom, RFC 7462 style). */
  #armAutoAnswer(): void {
    const uas = this.#uas;
    if (uas === undefined) return;
    const delaySec = answerAfterOf(uas.request) ?? (this.account.autoAnswer ? 0 : undefined);
    if (delaySec === undefined) return;
    this.#phaseTimers.push(
      this.#env.clock.setTimer(delaySec * 1000, () => {
        if (this.#phase !== 'ringing' || !this.#env.autoAnswerAllowed(this)) return;
        this.#log('info', `auto-answer after ${delaySec} s`);
        void this.answer();
      }),
    );
  }

  #end(reason: CallReason, sipCode: number | null): void {
    if (this.#phase === 'ended') return;
    this.#reason = reason;
    this.#sipCode = sipCode;
    this.#endedAt = Math.floor(this.#env.clock.now());
    this.#media.close(reason.text);
    this.#outgoingTransfer?.dispose();
    this.#transition('ended', reason.text);
    for (const s of this.#subscriptions.splice(0)) s.dispose();
    this.#offerAnswer.close(reason.text);
    this.#changes.clear();
    this.#dtmf.clear();
  }
}

const DTMF_DURATION_MS = 160;

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `o=` session id: RFC 8866 §5.2 suggests an NTP timestamp; any unique digits do. */
function sessionIdFrom(random: () => number): string {
  return String(1_000_000_000 + Math.floor(random() * 8_999_999_999));
}

/** An incoming call's media family: the offer's, else the SIP flow's (media-family.ts). */
function mediaFamilyOf(flow: SipFlow, offer: SessionDescription | undefined): IpFamily {
  return offeredMediaFamily(offer) ?? flow.local.family;
}

function familyOfUri(uri: Uri): IpFamily {
  return uri.kind === 'sip' && uri.host.startsWith('[') ? 6 : 4;
}

function withoutHeaders(uri: Uri): Uri {
  return uri.kind === 'sip' && uri.headers.length > 0 ? { ...uri, headers: [] } : uri;
}

/**
 * RFC 3261 §12.1.1: "When a UAS responds to a request with a response that establishes a dialog (such
 * as a 2xx to INVITE), the UAS MUST copy all Record-Route header field values from the request into the
 * response" — the caller's route set, without which its ACK and BYE bypass the proxies (and, behind a
 * NAT, never reach us).
 */
function recordRoutesOf(request: SipRequest): [string, string][] {
  return request.headers.getAll('Record-Route').map((value): [string, string] => ['Record-Route', value]);
}

/** The session description of a message with an application/sdp body. */
function sdpOf(message: SipRequest | SipResponse): SessionDescription | undefined {
  if (message.body.length === 0) return undefined;
  const type = message.headers.first(Header.ContentType);
  if (
    !type.ok ||
    type.value === undefined ||
    `${type.value.type}/${type.value.subtype}`.toLowerCase() !== 'application/sdp'
  )
    return undefined;
  const parsed = parseSdp(message.body.toString('utf8'));
  return parsed.ok ? parsed.sdp : undefined;
}

function sameOrigin(a: SessionDescription, b: SessionDescription): boolean {
  return (
    a.origin.username === b.origin.username &&
    a.origin.sessionId === b.origin.sessionId &&
    a.origin.sessionVersion === b.origin.sessionVersion
  );
}

function allows(message: SipRequest | SipResponse, method: string): boolean {
  const allow = message.headers.all(Header.Allow);
  return allow.ok && allow.value.some((m) => m.toUpperCase() === method);
}

/** Call-Info: <…>;answer-after=N (the de-facto intercom request). */
function answerAfterOf(request: SipRequest): number | undefined {
  const infos = request.headers.all(Header.CallInfo);
  if (!infos.ok) return undefined;
  for (const info of infos.value) {
    const raw = info.params.get('answer-after');
    if (raw !== undefined && raw !== null && /^\d{1,4}$/.test(raw)) return Number(raw);
  }
  return undefined;
}

function reasonPhraseOf(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 120);
}

/** How an out-of-dialog request of this account is routed (its outbound proxy, RFC 3261 §8.1.2). */
export function routeFor(account: CallAccount): Omit<SendRequestOptions, 'user' | 'contact'> {
  const proxy = account.outboundProxy;
  if (proxy === undefined) return {};
  const hop = withTransportParam(proxy, account.transport);
  if (hop.params.has('lr')) return { routeSet: [{ uri: hop, params: NO_PARAMS }] };
  return { nextHop: hop };
}

function withTransportParam(uri: SipUri, transport: SipTransport | undefined): SipUri {
  if (transport === undefined || transport === 'udp' || uri.params.has('transport') || uri.scheme === 'sips')
    return uri;
  const params = new Map(uri.params);
  params.set('transport', transport);
  return { ...uri, params };
}

/** A dial string as a URI: a SIP URI as is, `user@host` as sip:, anything else as a user at the account's domain. */
export function dialTargetUri(target: string, account: Pick<CallAccount, 'aor'>): Uri | undefined {
  const text = target.trim();
  if (/^sips?:/i.test(text) || /^tel:/i.test(text)) {
    const parsed = parseUri(text);
    return parsed.ok ? parsed.uri : undefined;
  }
  const withScheme = text.includes('@')
    ? `sip:${text}`
    : `sip:${text.replace(/[^0-9A-Za-z.*#+_~!$&'()=,;?/-]/g, '')}@${account.aor.host}${account.aor.port !== undefined ? `:${account.aor.port}` : ''}`;
  const parsed = parseUri(withScheme);
  return parsed.ok ? parsed.uri : undefined;
}

/**
 * One call's media as the call machine sees it: the sockets (through a `MediaTransportProvider`), the
 * local SDP configuration, and the `AudioMediaSession` that starts at the first usable negotiation
 * (early media or the answer) and is updated by every later one (hold, resume, address change).
 *
 * ## The transport hook (ICE)
 *
 * `PlainRtpTransportProvider`: an even/odd port pair from `MediaPortAllocator`; the media session builds
 * a `LatchingMediaPath` on it (symmetric RTP, RFC 4961). `IceMediaTransportProvider`
 * (ice-media-transport.ts) is the other provider: its transport describes our side (`describe`: the ICE
 * attributes, the default candidate in `endpoint`, a=ice-mismatch, or nothing for plain RTP), hands the
 * session its own `MediaPath` (`sessionTransport` → `{ path }`), and talks back to the call through the
 * `CallMediaHost` it is attached to: a re-offer (the updated offer, an ICE restart) or the end of the
 * media path (ICE failed, consent lost).
 */
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { CallIce, CallReason, MediaPath } from '../../src-shared/model/call.ts';
import type { IpFamily, Network } from '../platform/index.ts';
import { CODEC_NAMES, codecByName } from '../media/codec/index.ts';
import type { CodecName, DtmfKey } from '../media/codec/index.ts';
import type { AudioPort } from '../media/audio/index.ts';
import { AudioMediaSession } from '../media/session/index.ts';
import { SRTP_SUITES, newSrtpMasterKey } from '../media/rtp/index.ts';
import type { AudioMediaSessionStats, AudioMediaTransport, SendDtmfResult } from '../media/session/index.ts';
import { MediaPortAllocator } from '../media/transport/index.ts';
import type { MediaPortRange, MediaRoute, MediaSocket } from '../media/transport/index.ts';
import type { Clock } from '../platform/index.ts';
import { DEFAULT_TELEPHONE_EVENT } from '../sdp/index.ts';
import type {
  SdesConfig,
  SdesSuite,
  Attribute,
  Direction,
  LocalCodec,
  LocalMediaConfig,
  MediaEndpoint,
  NegotiatedMedia,
  SessionDescription,
} from '../sdp/index.ts';
import { estimateMos } from './e-model.ts';
import { mediaAddressFor, offeredMediaAddress } from './media-family.ts';

/** What the transport puts into one of our descriptions. */
export interface TransportDescription {
  readonly endpoint: MediaEndpoint;
  readonly sessionAttributes: readonly Attribute[];
  readonly mediaAttributes: readonly Attribute[];
  /** Offer / accept rtcp-mux (RFC 5761); default true. */
  readonly rtcpMux?: boolean;
}

/** What a description is for: an offer of ours, or our answer to the peer's `offer`. */
export type DescriptionPurpose =
  { readonly kind: 'offer' } | { readonly kind: 'answer'; readonly offer: SessionDescription };

/** The completed exchange a negotiation came from: our description and the peer's. */
export interface NegotiatedDescriptions {
  readonly local: SessionDescription;
  readonly remote: SessionDescription;
}

/** The call, as its media transport sees it. */
export interface CallMediaHost {
  /**
   * Send a new offer (re-INVITE) built from the transport's description now: the controlling ICE agent's
   * updated offer, our ICE restart.
   */
  renegotiate(reason: string): void;
  /** The media path is gone for good (ICE failed; consent lost and a restart found nothing): end the call. */
  failed(reason: CallReason): void;
  /** What `view()` shows changed (ICE state, selected pair): a new snapshot is due. */
  changed(): void;
}

/** How the media is set up, for the call's snapshot. */
export interface MediaTransportView {
  /** `ice` or `plain` (RTP to the SDP address, latching); null before the first negotiation. */
  readonly transport: 'ice' | 'plain' | null;
  readonly ice: CallIce | null;
  /** Direct or relayed once media has a path; unknown before (ICE still checking, a restart running). */
  readonly path: MediaPath;
}

/** The media sockets of one call and what they put into SDP. */
export interface CallMediaTransport {
  /** Where we receive media, for `c=`/`m=` (`address`: the SIP flow's local address, for plain RTP). */
  endpoint(address: string): MediaEndpoint;
  /** Session-level attributes of our descriptions (ICE: ice-options, ice-lite…). */
  readonly sessionAttributes: readonly Attribute[];
  /** Attributes of our audio m-line (ICE: ufrag, pwd, candidates). */
  readonly mediaAttributes: readonly Attribute[];
  /**
   * The transport the media session gets at the first completed negotiation; ownership of the sockets
   * (or the path) moves with it. `role`: whether we made the offer (RFC 8445 §6.1.1: the offerer is
   * controlling); `negotiated.remoteIce` carries the peer's ICE description when it does ICE.
   */
  sessionTransport(
    negotiated: NegotiatedMedia,
    role: 'offerer' | 'answerer',
    descriptions?: NegotiatedDescriptions,
  ): AudioMediaTransport;
  /** Later negotiations (re-INVITE, UPDATE): a new remote description, an ICE restart. Optional. */
  update?(
    negotiated: NegotiatedMedia,
    role: 'offerer' | 'answerer',
    descriptions?: NegotiatedDescriptions,
  ): void;
  /**
   * Our description for an offer, or for the answer to `purpose.offer` — called right before it is built,
   * so that the transport can decide (ICE, plain RTP, a=ice-mismatch) and restart ICE when the offer
   * changed the peer's credentials. Optional: without it `endpoint`/`sessionAttributes`/`mediaAttributes`.
   */
  describe?(address: string, purpose: DescriptionPurpose): TransportDescription;
  /** The call's side of the hook, given once right after the transport opened. Optional. */
  attach?(host: CallMediaHost): void;
  /** How the media is set up, for the snapshot. Optional (plain RTP without it). */
  view?(): MediaTransportView;
  /** Release whatever was not handed to a session. Idempotent. */
  close(): void;
}

export type MediaTransportResult =
  | { readonly ok: true; readonly transport: CallMediaTransport }
  | { readonly ok: false; readonly message: string };

export interface MediaTransportRequest {
  readonly family: IpFamily;
  /** The peer's offer when we will answer it (an incoming INVITE with SDP): the transport may skip ICE. */
  readonly offer?: SessionDescription;
}

export interface MediaTransportProvider {
  open(request: MediaTransportRequest): Promise<MediaTransportResult>;
}

/**
 * Plain RTP: an even/odd port pair in the configured range (RTCP mux offered, the odd port the fallback).
 * The sockets hold the media that arrives before the session starts (MediaSocket.holdUnclaimedMedia).
 */
export class PlainRtpTransportProvider implements MediaTransportProvider {
  readonly #allocator: MediaPortAllocator;
  readonly #clock: Clock;
  readonly #network: Network;

  constructor(options: {
    readonly clock: Clock;
    readonly network: Network;
    readonly range?: MediaPortRange;
    readonly random?: () => number;
  }) {
    this.#clock = options.clock;
    this.#network = options.network;
    this.#allocator = new MediaPortAllocator({
      network: options.network,
      ...(options.range !== undefined && { range: options.range }),
      ...(options.random !== undefined && { random: options.random }),
    });
  }

  async open(request: MediaTransportRequest): Promise<MediaTransportResult> {
    // A pair even though we offer rtcp-mux: RFC 5761 §5.1.1 keeps a=rtcp as the fallback for a peer
    // that refuses mux; the odd port is closed as soon as the answer accepts it.
    const allocated = await this.#allocator.allocate({ family: request.family, rtcpMux: false });
    if (!allocated.ok) return { ok: false, message: allocated.message };
    // The peer's first RTP can arrive before the answer that starts our session: held until then.
    allocated.rtp.holdUnclaimedMedia({ clock: this.#clock });
    allocated.rtcp?.holdUnclaimedMedia({ clock: this.#clock });
    // c= names an address of the sockets' family (media-family.ts), the SIP flow's when it is one.
    const peer = offeredMediaAddress(request.offer);
    const addressFor = (signalling: string): string =>
      mediaAddressFor(this.#network, request.family, signalling, peer);
    return { ok: true, transport: new PlainRtpTransport(allocated.rtp, allocated.rtcp, addressFor) };
  }
}

class PlainRtpTransport implements CallMediaTransport {
  readonly sessionAttributes: readonly Attribute[] = [];
  readonly mediaAttributes: readonly Attribute[] = [];
  readonly #rtp: MediaSocket;
  #rtcp: MediaSocket | undefined;
  readonly #addressFor: (signalling: string) => string;
  #handedOver = false;

  constructor(rtp: MediaSocket, rtcp: MediaSocket | undefined, addressFor: (signalling: string) => string) {
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.#addressFor = addressFor;
  }

  endpoint(address: string): MediaEndpoint {
    return {
      address: this.#addressFor(address),
      port: this.#rtp.local.port,
      ...(this.#rtcp !== undefined && { rtcpPort: this.#rtcp.local.port }),
    };
  }

  sessionTransport(negotiated: NegotiatedMedia): AudioMediaTransport {
    // Plain RTP: the session latches (RFC 4961) whoever offered.
    if (this.#handedOver) throw new Error('the media sockets were already handed to a session');
    this.#handedOver = true;
    if (negotiated.rtcpMux && this.#rtcp !== undefined) {
      // RFC 5761 §5.1.1: with mux accepted, RTCP shares the RTP port.
      this.#rtcp.close();
      this.#rtcp = undefined;
    }
    return { rtpSocket: this.#rtp, ...(this.#rtcp !== undefined && { rtcpSocket: this.#rtcp }) };
  }

  close(): void {
    if (this.#handedOver) return;
    this.#handedOver = true;
    this.#rtp.close();
    this.#rtcp?.close();
  }
}

/**
 * The codecs we can run, in the preference order given (names as in settings: `PCMU`, `G722`, `opus`…;
 * names we do not implement are skipped). Each is offered at its static payload type and RTP clock rate —
 * for G.722 `a=rtpmap:9 G722/8000`, although it carries 16 kHz audio (RFC 3551 §4.5.2).
 */
export function localCodecsFor(preference: readonly string[] | undefined): LocalCodec[] {
  const chosen: LocalCodec[] = [];
  const add = (name: CodecName): void => {
    if (chosen.some((c) => c.name === name)) return;
    const codec = codecByName(name);
    chosen.push({ name: codec.name, clockRate: codec.clockRate, payloadType: codec.payloadType });
  };
  for (const name of preference ?? []) {
    const known = CODEC_NAMES.find((c) => c.toLowerCase() === name.toLowerCase());
    if (known !== undefined) add(known);
  }
  // Codecs we have but the list left out still come last: a call with a peer that only has those
  // beats a 488.
  for (const name of CODEC_NAMES) add(name);
  return chosen;
}

export interface CallMediaOptions {
  readonly clock: Clock;
  readonly provider: MediaTransportProvider;
  readonly codecs: readonly LocalCodec[];
  /** Offer/accept RFC 4733 telephone-event (default true). */
  readonly telephoneEvent?: boolean;
  /** Opens the call's audio when media starts (closed with the call). */
  readonly openAudio: () => AudioPort;
  /** `o=` session id: decimal digits, unique per session. */
  readonly sessionId: string;
  readonly random?: () => number;
  readonly log?: (message: string) => void;
  /** Re-offers and media failures the transport asks the call for. */
  readonly host?: CallMediaHost;
  /**
   * SDES-SRTP (RFC 4568; src-main/sdp/sdes.ts has the rules): `optional` offers RTP/AVP with a=crypto and
   * takes either answer; `required` offers RTP/SAVP and accepts nothing unencrypted. Default `off`.
   */
  readonly srtp?: CallSrtpMode;
  /** Source of the SRTP master keys (tests); default node:crypto. */
  readonly randomBytes?: (count: number) => Uint8Array;
}

export type CallSrtpMode = 'off' | 'optional' | 'required';

/** How the call's media is protected, for its snapshot. */
export interface CallMediaEncryption {
  readonly encryption: 'none' | 'srtp';
  /** The SRTP crypto-suite (RFC 4568 §6.2); null for none. */
  readonly suite: string | null;
}

export type CallMediaState = 'new' | 'opening' | 'ready' | 'running' | 'closed' | 'failed';

export class CallMedia {
  readonly #options: CallMediaOptions;
  #state: CallMediaState = 'new';
  #opening: Promise<MediaTransportResult> | undefined;
  #transport: CallMediaTransport | undefined;
  #session: AudioMediaSession | undefined;
  #audio: AudioPort | undefined;
  #negotiated: NegotiatedMedia | undefined;
  #muted = false;
  #held = false;
  #dtmfListeners: ((key: DtmfKey, durationMs: number) => void)[] = [];
  #dtmfSubscription: Disposable | undefined;
  #lastStats: AudioMediaSessionStats | undefined;

  /** Our SDES offer/answer configuration (keys made once per call), undefined when SRTP is off. */
  readonly #sdes: SdesConfig | undefined;

  constructor(options: CallMediaOptions) {
    this.#options = options;
    const mode = options.srtp ?? 'off';
    // One fresh master key per suite we offer, kept for the call: re-offers repeat the same crypto lines
    // (the context goes on, RFC 4568 §7.1.4) and never reuse a key across suites.
    this.#sdes =
      mode === 'off'
        ? undefined
        : {
            policy: mode,
            keys: SRTP_SUITES.map((suite: SdesSuite) => ({
              suite,
              key: newSrtpMasterKey(suite, options.randomBytes),
            })),
          };
  }

  get state(): CallMediaState {
    return this.#state;
  }

  /** Bind the sockets (once; later calls wait for the same result). `offer`: the peer's, when we answer it. */
  open(family: IpFamily, offer?: SessionDescription): Promise<MediaTransportResult> {
    if (this.#opening === undefined) {
      this.#state = 'opening';
      this.#opening = this.#options.provider
        .open({ family, ...(offer !== undefined && { offer }) })
        .then((result) => {
          if (!result.ok) {
            if (this.#state === 'opening') this.#state = 'failed';
            return result;
          }
          if (this.#state !== 'opening') {
            // The call ended while the ports were being bound.
            result.transport.close();
            return { ok: false, message: 'the call ended' };
          }
          this.#transport = result.transport;
          this.#state = 'ready';
          if (this.#options.host !== undefined) result.transport.attach?.(this.#options.host);
          return result;
        });
    }
    return this.#opening;
  }

  /**
   * The SDP configuration for our next description (the media must be open): an offer, or — with
   * `answering` — the answer to that offer.
   */
  config(
    address: string,
    direction: Direction = 'sendrecv',
    answering?: SessionDescription,
  ): LocalMediaConfig {
    const transport = this.#transport;
    if (transport === undefined) throw new Error('CallMedia.config before the sockets are open');
    const described: TransportDescription = transport.describe?.(
      address,
      answering === undefined ? { kind: 'offer' } : { kind: 'answer', offer: answering },
    ) ?? {
      endpoint: transport.endpoint(address),
      sessionAttributes: transport.sessionAttributes,
      mediaAttributes: transport.mediaAttributes,
    };
    return {
      endpoint: described.endpoint,
      codecs: this.#options.codecs,
      telephoneEvent: this.#options.telephoneEvent === false ? undefined : DEFAULT_TELEPHONE_EVENT,
      direction,
      rtcpMux: described.rtcpMux ?? true,
      origin: { sessionId: this.#options.sessionId },
      srtp: this.#sdes,
      sessionAttributes: described.sessionAttributes,
      mediaAttributes: described.mediaAttributes,
    };
  }

  /**
   * The result of a completed offer/answer: start the audio, or update it (re-INVITE). `descriptions`:
   * both halves of the exchange (the ICE transport reads the peer's ICE attributes from them).
   */
  apply(
    negotiated: NegotiatedMedia,
    role: 'offerer' | 'answerer',
    descriptions?: NegotiatedDescriptions,
  ): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#negotiated = negotiated;
    if (this.#session !== undefined) {
      this.#session.update(negotiated);
      // Last: the transport may find the path gone (an ICE failure) and end the call right here.
      this.#transport?.update?.(negotiated, role, descriptions);
      return;
    }
    const transport = this.#transport;
    if (transport === undefined) throw new Error('CallMedia.apply before the sockets are open');
    const audio = this.#options.openAudio();
    this.#audio = audio;
    const session = new AudioMediaSession({
      clock: this.#options.clock,
      transport: transport.sessionTransport(negotiated, role, descriptions),
      negotiated,
      audio,
      ...(this.#options.random !== undefined && { random: this.#options.random }),
    });
    session.setMuted(this.#muted || this.#held);
    this.#dtmfSubscription = session.onDtmf((key, durationMs) => {
      for (const listener of [...this.#dtmfListeners]) listener(key, durationMs);
    });
    this.#session = session;
    this.#state = 'running';
    this.#options.log?.(
      `media: ${negotiated.codec.name}/${negotiated.codec.clockRate} ptime ${negotiated.ptime} ${negotiated.direction} to ${negotiated.remoteRtp.address}:${negotiated.remoteRtp.port}${negotiated.rtcpMux ? ' (rtcp-mux)' : ''}${negotiated.srtp ? `, SRTP ${negotiated.srtp.suite}` : ''}`,
    );
  }

  /** The last negotiation applied. */
  get negotiated(): NegotiatedMedia | undefined {
    return this.#negotiated;
  }

  /**
   * The SDES part of our descriptions (undefined: SRTP off) — also what an incoming offer is checked
   * against before the phone rings.
   */
  get sdes(): SdesConfig | undefined {
    return this.#sdes;
  }

  /** Encrypted or not, by the last negotiation applied (none before one). */
  get encryption(): CallMediaEncryption {
    const srtp = this.#negotiated?.srtp;
    return srtp === undefined
      ? { encryption: 'none', suite: null }
      : { encryption: 'srtp', suite: srtp.suite };
  }

  get running(): boolean {
    return this.#session !== undefined && this.#state === 'running';
  }

  get muted(): boolean {
    return this.#muted;
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.#session?.setMuted(this.#muted || this.#held);
  }

  /**
   * While we hold the call our microphone is not sent (silence instead): RFC 6337 §5.3 holds with
   * sendonly so that music on hold can flow, and we have none; the held party must not hear our room.
   */
  setHeld(held: boolean): void {
    this.#held = held;
    this.#session?.setMuted(this.#muted || this.#held);
  }

  /** RFC 4733 keys through the media session. */
  sendDtmf(keys: readonly DtmfKey[], durationMs: number): SendDtmfResult {
    if (this.#session === undefined) return { ok: false, error: 'not-sending' };
    return this.#session.sendDtmf(keys, durationMs);
  }

  /** Keys received as RFC 4733 telephone-events. */
  onDtmf(listener: (key: DtmfKey, durationMs: number) => void): Disposable {
    this.#dtmfListeners.push(listener);
    return {
      dispose: () => {
        this.#dtmfListeners = this.#dtmfListeners.filter((l) => l !== listener);
      },
    };
  }

  stats(): AudioMediaSessionStats | undefined {
    if (this.#session !== undefined && this.#state === 'running') this.#lastStats = this.#session.stats();
    return this.#lastStats;
  }

  get route(): MediaRoute | undefined {
    return this.#session !== undefined && this.#state === 'running'
      ? this.#session.route
      : this.#lastStats?.route;
  }

  /** How the media is set up (ICE pair and state), as the transport tells it. */
  view(): MediaTransportView | undefined {
    return this.#transport?.view?.();
  }

  /**
   * The E-model MOS estimate (e-model.ts) of what we receive: our loss measurement, half the RTCP round
   * trip, the jitter buffer's delay and the packetisation. Null before audio arrived.
   */
  mos(): number | null {
    const stats = this.stats();
    const negotiated = this.#negotiated;
    if (stats === undefined || negotiated === undefined || stats.packetsReceived === 0) return null;
    return (
      estimateMos({
        codec: negotiated.codec.name,
        lossPct: stats.lossPct,
        rttMs: stats.rttMs,
        jitterBufferMs: stats.playout?.jitter.currentDelayMs ?? 0,
        ptimeMs: stats.ptime,
      }) ?? null
    );
  }

  /** Stop the audio (RTCP BYE), release sockets and the audio port. Idempotent. */
  close(reason?: string): void {
    if (this.#state === 'closed') return;
    if (this.#session !== undefined && this.#state === 'running') this.#lastStats = this.#session.stats();
    this.#state = 'closed';
    this.#dtmfSubscription?.dispose();
    this.#dtmfListeners = [];
    this.#session?.close(reason);
    this.#transport?.close();
    this.#audio?.close();
  }
}

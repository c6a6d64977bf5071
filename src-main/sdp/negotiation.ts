/**
 * RFC 3264 offer/answer for the phone's one audio stream, as pure functions:
 *
 *   createOffer(config, previous?)      → our offer (initial or re-offer)
 *   createAnswer(remoteOffer, config, previous?) → our answer + the negotiated media, or a 488 failure
 *   applyAnswer(localOffer, remoteAnswer) → the negotiated media, or a failure
 *   holdOffer(previous, mode) / resumeOffer(previous) → re-offers that only change the direction
 *
 * Decisions (each cited where it is made):
 * - Codec order in our answer is OUR preference order, not the offerer's (RFC 3264 §6.1 allows
 *   either). A softphone's codec list is a user setting; honouring it on incoming calls too keeps calls
 *   in both directions on the same codec.
 * - Dynamic payload types in an answer use the offerer's numbers (RFC 3264 §6.1 SHOULD).
 * - One audio stream is negotiated: the first offered m=audio with a non-zero port, a transport
 *   protocol we accept and a codec in common. Every other m-line is answered with port 0, one answer
 *   m-line per offer m-line in the same order (RFC 3264 §6).
 * - SRTP (SDES, RFC 4568) with `config.srtp`: sdes.ts has the policies and the crypto-line rules; the
 *   offered transport follows the policy (RTP/AVP for optional, RTP/SAVP for required), and an offered
 *   stream whose crypto we cannot take is passed over like one without a common codec.
 * - The `o=` line: the same username/session id/address for the whole session; the version goes up by
 *   exactly one whenever our new description differs from the previous one we sent, and stays when it is
 *   identical (RFC 3264 §8). `previous` is always the last description we SENT (offer or answer, even
 *   an offer the peer then refused), so versions never repeat with different content.
 */
import { buildSdp } from './build.ts';
import { formatEventList, formatFmtp, formatRtcp, formatRtpmap, readEventList } from './attributes.ts';
import type { IceDescription } from './query.ts';
import {
  hasRtcpMux,
  iceDescription,
  isUnspecifiedAddress,
  mediaConnection,
  mediaDirection,
  offersIce,
  packetTime,
  maxPacketTime,
  rtcpAttribute,
  rtpFormats,
  withDirection,
} from './query.ts';
import type { RtpFormat } from './query.ts';
import { DEFAULT_TELEPHONE_EVENTS, isDynamicPayloadType, isTelephoneEvent, sameCodec } from './codecs.ts';
import type { CodecDescriptor } from './codecs.ts';
import type { Attribute, Direction, MediaDescription, Origin, SessionDescription } from './model.ts';
import { answerCryptoAttribute, isSecureProfile, negotiateSrtp, offerCryptoAttributes } from './sdes.ts';
import type { NegotiatedSrtp, SdesConfig } from './sdes.ts';

// ───────────────────────────── configuration ─────────────────────────────

/** Where we receive media; given by the media transport (the ICE default candidate when ICE is on). */
export interface MediaEndpoint {
  readonly address: string;
  readonly port: number;
  /** RTCP port when RTCP is not multiplexed; default `port + 1` (RFC 3550 §11). */
  readonly rtcpPort?: number | undefined;
  /** RTCP address when it differs from `address` (RFC 3605 §2.1). */
  readonly rtcpAddress?: string | undefined;
}

/** A codec we can send and receive. */
export interface LocalCodec {
  readonly name: string;
  readonly clockRate: number;
  /** Default 1. */
  readonly channels?: number | undefined;
  /** Static type, or the dynamic type (96-127) we offer it under when no earlier mapping exists. */
  readonly payloadType: number;
  /** fmtp parameters we advertise. */
  readonly parameters?: string | undefined;
}

/** RFC 4733 telephone-event support. */
export interface TelephoneEventConfig {
  /** Dynamic type offered when no earlier mapping exists (101 by habit). */
  readonly payloadType: number;
  /** Default 8000 (the rate of G.711; RFC 4733 §2.1 wants the rate of the audio codec). */
  readonly clockRate?: number | undefined;
  /** Events we handle; default 0-16 (DTMF digits and flash). */
  readonly events?: readonly number[] | undefined;
}

export interface LocalMediaConfig {
  readonly endpoint: MediaEndpoint;
  /** Our codecs, most preferred first. */
  readonly codecs: readonly LocalCodec[];
  /** Undefined: we neither offer nor accept telephone-event. */
  readonly telephoneEvent?: TelephoneEventConfig | undefined;
  /** Packetization we ask for, in ms; default 20. */
  readonly ptime?: number | undefined;
  readonly maxptime?: number | undefined;
  /** What we want: `sendrecv`, or `sendonly`/`inactive` while we hold the call. Default `sendrecv`. */
  readonly direction?: Direction | undefined;
  /** Offer rtcp-mux / accept it when offered (RFC 5761). Default true. */
  readonly rtcpMux?: boolean | undefined;
  /** For the first description of a session (ignored when `previous` is given). */
  readonly origin: {
    readonly username?: string | undefined;
    /** Decimal digits, unique per session (the caller supplies it; this module has no randomness). */
    readonly sessionId: string;
    /** Default: equal to `sessionId` (RFC 8866 §5.2 suggests NTP timestamps for both). */
    readonly sessionVersion?: string | undefined;
  };
  /** `s=`; default `-`. */
  readonly sessionName?: string | undefined;
  /** Hook: attributes added at session level (e.g. `ice-lite`, `ice-options`). */
  readonly sessionAttributes?: readonly Attribute[] | undefined;
  /** Hook: attributes added to our audio m-line (e.g. `ice-ufrag`, `ice-pwd`, `candidate`). */
  readonly mediaAttributes?: readonly Attribute[] | undefined;
  /**
   * Transport protocols we accept in offers; the first is the one we offer. Default `['RTP/AVP']`, or with
   * `srtp` RTP/AVP and RTP/SAVP (RTP/SAVP first when SRTP is required).
   */
  readonly protocols?: readonly string[] | undefined;
  /** SDES-SRTP (sdes.ts): offer and accept a=crypto under this policy; undefined: plain RTP only. */
  readonly srtp?: SdesConfig | undefined;
}

export const DEFAULT_PTIME = 20;

/** G.711 µ-law then A-law, at their static payload types (RFC 3551 §6). */
export const DEFAULT_AUDIO_CODECS: readonly LocalCodec[] = [
  { name: 'PCMU', clockRate: 8000, payloadType: 0 },
  { name: 'PCMA', clockRate: 8000, payloadType: 8 },
];

export const DEFAULT_TELEPHONE_EVENT: TelephoneEventConfig = {
  payloadType: 101,
  clockRate: 8000,
  events: Array.from({ length: 17 }, (_, i) => i),
};

// ───────────────────────────── results ─────────────────────────────

export interface TransportAddress {
  readonly address: string;
  readonly port: number;
}

/** A codec both sides agreed on, with the payload type each direction uses. */
export interface NegotiatedCodec extends CodecDescriptor {
  /** Put this in RTP we send: the number the peer's description uses (it receives with its mapping). */
  readonly sendPayloadType: number;
  /** Expect this in RTP we receive: the number our description uses. */
  readonly receivePayloadType: number;
  /** The peer's fmtp for it (what the peer can receive), if any. */
  readonly remoteParameters: string | undefined;
}

/**
 * The outcome of a completed offer/answer exchange for the audio stream: everything the media session
 * needs to send and receive.
 */
export interface NegotiatedMedia {
  /** Index of the audio m-line in both descriptions. */
  readonly mediaIndex: number;
  /** The codec to send with: the first codec of the answer that the offer also lists. */
  readonly codec: NegotiatedCodec;
  /** Every codec in common, in the answer's order (first = `codec`); either side may switch among them. */
  readonly codecs: readonly NegotiatedCodec[];
  /** RFC 4733 events, when both sides listed telephone-event at our clock rate. */
  readonly telephoneEvent:
    | {
        readonly sendPayloadType: number;
        readonly receivePayloadType: number;
        readonly clockRate: number;
        /** Events both sides handle. */
        readonly events: readonly number[];
      }
    | undefined;
  /** ms of audio per packet we send: the peer's `a=ptime` (what it wants to receive), else ours. */
  readonly ptime: number;
  readonly remoteMaxptime: number | undefined;
  /** Where to send RTP (the `c=`/`m=` of the peer). */
  readonly remoteRtp: TransportAddress;
  /** Where to send RTCP: the RTP address when muxed, else `a=rtcp` (RFC 3605), else RTP port + 1. */
  readonly remoteRtcp: TransportAddress;
  /** RFC 5761: both descriptions carry `a=rtcp-mux`. */
  readonly rtcpMux: boolean;
  /** What we may do on the stream now. */
  readonly direction: Direction;
  readonly send: boolean;
  readonly receive: boolean;
  /**
   * The peer has put us on hold: it does not want our media (`sendonly`/`inactive` where we offered to
   * send, or the RFC 2543 `c=0.0.0.0`).
   */
  readonly remoteHold: boolean;
  /** The peer's ICE parameters for this stream (for the ICE agent); undefined when it does not do ICE. */
  readonly remoteIce: IceDescription | undefined;
  /** SDES-SRTP suite and keys when the media is encrypted (sdes.ts); undefined: plain RTP. */
  readonly srtp: NegotiatedSrtp | undefined;
}

export type NegotiationFailureReason =
  /** The offer has no audio stream we could take (none, all rejected, or only unsupported transports). */
  | 'no-audio'
  /** An audio stream exists but shares no codec with us. */
  | 'no-common-codec'
  /**
   * SRTP could not be agreed: the offer's a=crypto lines name nothing we can run (or carry none while we
   * require SRTP), or the answer's crypto does not match our offer (RFC 4568 §7.1.3).
   */
  | 'no-common-crypto'
  /** The answer rejected our audio stream (port 0). */
  | 'media-rejected'
  /** The answer does not line up with the offer (m-line count or media type differ; RFC 3264 §6). */
  | 'answer-mismatch';

/**
 * Why negotiation failed. `status` is the SIP response that rejects such an offer: 488 Not Acceptable
 * Here (RFC 3261 §21.4.26); for a failed answer the call ends or re-offers instead.
 */
export interface NegotiationFailure {
  readonly reason: NegotiationFailureReason;
  readonly status: 488;
  readonly detail: string;
}

export type NegotiationResult =
  | { readonly ok: true; readonly media: NegotiatedMedia }
  | { readonly ok: false; readonly failure: NegotiationFailure };

export type CreateAnswerResult =
  | { readonly ok: true; readonly answer: SessionDescription; readonly media: NegotiatedMedia }
  | { readonly ok: false; readonly failure: NegotiationFailure };

const failure = (
  reason: NegotiationFailureReason,
  detail: string,
): { ok: false; failure: NegotiationFailure } => ({
  ok: false,
  failure: { reason, status: 488, detail },
});

// ───────────────────────────── small helpers ─────────────────────────────

const sends = (d: Direction): boolean => d === 'sendrecv' || d === 'sendonly';
const receives = (d: Direction): boolean => d === 'sendrecv' || d === 'recvonly';

export function directionFrom(send: boolean, receive: boolean): Direction {
  if (send) return receive ? 'sendrecv' : 'sendonly';
  return receive ? 'recvonly' : 'inactive';
}

/** RFC 3264 §8: the version "MUST increment by one"; kept as decimal text of any length. */
export function bumpVersion(version: string): string {
  return (BigInt(version) + 1n).toString();
}

function addressType(address: string): 'IP4' | 'IP6' {
  return address.includes(':') ? 'IP6' : 'IP4';
}

function descriptorOf(c: LocalCodec): CodecDescriptor {
  return { name: c.name, clockRate: c.clockRate, channels: c.channels ?? 1 };
}

function asDescriptor(f: RtpFormat): CodecDescriptor | undefined {
  return f.encodingName === undefined || f.clockRate === undefined
    ? undefined
    : { name: f.encodingName, clockRate: f.clockRate, channels: f.channels };
}

function telephoneEventRate(config: LocalMediaConfig): number {
  return config.telephoneEvent?.clockRate ?? 8000;
}

function protocolsOf(config: LocalMediaConfig): readonly string[] {
  if (config.protocols !== undefined) return config.protocols;
  if (config.srtp === undefined) return ['RTP/AVP'];
  return config.srtp.policy === 'required' ? ['RTP/SAVP', 'RTP/AVP'] : ['RTP/AVP', 'RTP/SAVP'];
}

/** Configuration mistakes are bugs in the caller: thrown, not returned. */
function checkConfig(config: LocalMediaConfig): void {
  if (config.codecs.length === 0) throw new Error('LocalMediaConfig.codecs is empty');
  const seen = new Set<number>();
  const all = [
    ...config.codecs.map((c) => c.payloadType),
    ...(config.telephoneEvent ? [config.telephoneEvent.payloadType] : []),
  ];
  for (const pt of all) {
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new Error(`payload type ${pt} is not 0-127`);
    if (seen.has(pt)) throw new Error(`payload type ${pt} is configured twice`);
    seen.add(pt);
  }
  if (!/^[0-9]+$/.test(config.origin.sessionId)) throw new Error('origin.sessionId must be decimal digits');
  if (config.origin.sessionVersion !== undefined && !/^[0-9]+$/.test(config.origin.sessionVersion)) {
    throw new Error('origin.sessionVersion must be decimal digits');
  }
}

/**
 * RFC 3264 §8: "the "o=" line of the new SDP MUST be identical to that in the previous SDP, except that
 * the version in the origin field MUST increment by one from the previous SDP. If the version in the
 * origin line does not increment, the SDP MUST be identical to the SDP with that version number."
 */
function withOriginVersion(
  candidate: SessionDescription,
  previous: SessionDescription | undefined,
): SessionDescription {
  if (previous === undefined) return candidate;
  const same = buildSdp({ ...candidate, origin: previous.origin }) === buildSdp(previous);
  const origin: Origin = same
    ? previous.origin
    : { ...previous.origin, sessionVersion: bumpVersion(previous.origin.sessionVersion) };
  return { ...candidate, origin };
}

function firstOrigin(config: LocalMediaConfig): Origin {
  return {
    username: config.origin.username ?? '-',
    sessionId: config.origin.sessionId,
    sessionVersion: config.origin.sessionVersion ?? config.origin.sessionId,
    netType: 'IN',
    addressType: addressType(config.endpoint.address),
    address: config.endpoint.address,
  };
}

function sessionShell(
  config: LocalMediaConfig,
  previous: SessionDescription | undefined,
  media: MediaDescription[],
): SessionDescription {
  return {
    version: 0,
    origin: previous?.origin ?? firstOrigin(config),
    sessionName: config.sessionName ?? '-',
    emails: [],
    phones: [],
    connection: {
      netType: 'IN',
      addressType: addressType(config.endpoint.address),
      address: config.endpoint.address,
    },
    bandwidths: [],
    timings: [{ start: 0, stop: 0, repeats: [] }],
    attributes: [...(config.sessionAttributes ?? [])],
    media,
  };
}

/** A format we put on our audio m-line. */
interface OurFormat {
  readonly payloadType: number;
  readonly codec: CodecDescriptor;
  readonly parameters: string | undefined;
}

/**
 * Our audio m-line. Attribute order: rtpmap (+ its fmtp) per format, ptime, maxptime, direction,
 * rtcp, rtcp-mux, then the caller's extra attributes.
 */
function audioMediaLine(
  config: LocalMediaConfig,
  protocol: string,
  formats: readonly OurFormat[],
  direction: Direction,
  rtcp: { readonly mux: boolean; readonly announcePort: boolean },
  crypto: readonly Attribute[],
): MediaDescription {
  const { endpoint } = config;
  const attributes: Attribute[] = [];
  for (const f of formats) {
    const encodingParameters = f.codec.channels === 1 ? undefined : f.codec.channels;
    attributes.push({
      name: 'rtpmap',
      value: formatRtpmap({
        payloadType: f.payloadType,
        encodingName: f.codec.name,
        clockRate: f.codec.clockRate,
        encodingParameters,
      }),
    });
    if (f.parameters !== undefined && f.parameters !== '') {
      attributes.push({
        name: 'fmtp',
        value: formatFmtp({ format: `${f.payloadType}`, parameters: f.parameters }),
      });
    }
  }
  attributes.push({ name: 'ptime', value: `${config.ptime ?? DEFAULT_PTIME}` });
  if (config.maxptime !== undefined) attributes.push({ name: 'maxptime', value: `${config.maxptime}` });
  attributes.push({ name: direction });
  if (rtcp.announcePort) {
    const rtcpPort = endpoint.rtcpPort ?? endpoint.port + 1;
    attributes.push({ name: 'rtcp', value: formatRtcp({ port: rtcpPort, address: endpoint.rtcpAddress }) });
  }
  if (rtcp.mux) attributes.push({ name: 'rtcp-mux' });
  attributes.push(...crypto);
  attributes.push(...(config.mediaAttributes ?? []));
  return {
    type: 'audio',
    port: endpoint.port,
    protocol,
    formats: formats.map((f) => `${f.payloadType}`),
    connections: [],
    bandwidths: [],
    attributes,
  };
}

/** RFC 3264 §6: "To reject an offered stream, the port number in the corresponding stream in the answer
 * MUST be set to zero. Any media formats listed are ignored. At least one MUST be present". */
function rejectedLine(m: MediaDescription): MediaDescription {
  return {
    type: m.type,
    port: 0,
    protocol: m.protocol,
    formats: m.formats.length > 0 ? m.formats : ['0'],
    connections: [],
    bandwidths: [],
    attributes: [],
  };
}

function isOurAudio(m: MediaDescription, protocols: readonly string[]): boolean {
  return m.type === 'audio' && m.port !== 0 && protocols.includes(m.protocol);
}

// ───────────────────────────── createOffer ─────────────────────────────

/**
 * Payload type numbers for our offer. Static types keep their number. RFC 3264 §8.3.2: "the mapping
 * from a particular dynamic payload type number to a particular codec within that media stream MUST NOT
 * change for the duration of a session" — and that holds for numbers either end has used. So a dynamic
 * codec keeps the number it had in our last description, else the number the peer gave it; the
 * configured number is used only if neither end gave it to another codec; otherwise the lowest dynamic
 * number nobody has used yet is taken.
 */
function offerFormats(
  config: LocalMediaConfig,
  previousAudio: MediaDescription | undefined,
  remoteAudio: MediaDescription | undefined,
): OurFormat[] {
  const ours = previousAudio ? rtpFormats(previousAudio) : [];
  const theirs = remoteAudio ? rtpFormats(remoteAudio) : [];
  const used = new Map<number, CodecDescriptor | undefined>();
  for (const f of [...theirs, ...ours]) used.set(f.payloadType, asDescriptor(f));
  const wanted: { codec: CodecDescriptor; payloadType: number; parameters: string | undefined }[] =
    config.codecs.map((c) => ({
      codec: descriptorOf(c),
      payloadType: c.payloadType,
      parameters: c.parameters,
    }));
  if (config.telephoneEvent) {
    wanted.push({
      codec: { name: 'telephone-event', clockRate: telephoneEventRate(config), channels: 1 },
      payloadType: config.telephoneEvent.payloadType,
      parameters: formatEventList(config.telephoneEvent.events ?? DEFAULT_TELEPHONE_EVENTS),
    });
  }
  const chosen = new Map<number, CodecDescriptor>();
  const out: OurFormat[] = [];
  const earlier = (list: readonly RtpFormat[], codec: CodecDescriptor): number | undefined =>
    list.find(
      (f) =>
        isDynamicPayloadType(f.payloadType) &&
        !chosen.has(f.payloadType) &&
        sameDescriptor(asDescriptor(f), codec),
    )?.payloadType;
  for (const w of wanted) {
    let pt: number | undefined;
    if (!isDynamicPayloadType(w.payloadType)) pt = w.payloadType;
    else pt = earlier(ours, w.codec) ?? earlier(theirs, w.codec);
    if (pt === undefined && !chosen.has(w.payloadType) && !takenByOther(used, w.payloadType, w.codec))
      pt = w.payloadType;
    for (let n = 96; n <= 127 && pt === undefined; n++) if (!chosen.has(n) && !used.has(n)) pt = n;
    if (pt === undefined) throw new Error('no free dynamic payload type left');
    chosen.set(pt, w.codec);
    out.push({ payloadType: pt, codec: w.codec, parameters: w.parameters });
  }
  return out;
}

function sameDescriptor(a: CodecDescriptor | undefined, b: CodecDescriptor): boolean {
  return a !== undefined && sameCodec(a, b);
}

function takenByOther(
  used: Map<number, CodecDescriptor | undefined>,
  pt: number,
  codec: CodecDescriptor,
): boolean {
  if (!used.has(pt)) return false;
  return !sameDescriptor(used.get(pt), codec);
}

/**
 * Our offer. With `previous` (the last description we sent in this session) it is a re-offer: same
 * `o=` line, version bumped by exactly one if anything changed, the same m-lines in the same order
 * (RFC 3264 §8: "the offer MUST include all existing media streams"; streams other than our audio are
 * kept as rejected, port 0), and unchanged dynamic payload type numbers. `remote` (the peer's last
 * description in this session) adds the numbers the peer has used to those that must keep their codec.
 */
export function createOffer(
  config: LocalMediaConfig,
  previous?: SessionDescription,
  remote?: SessionDescription,
): SessionDescription {
  checkConfig(config);
  const protocols = protocolsOf(config);
  const direction = config.direction ?? 'sendrecv';
  const rtcpMux = config.rtcpMux ?? true;

  const previousMedia = previous?.media ?? [];
  let audioIndex = previousMedia.findIndex((m) => isOurAudio(m, protocols));
  // RFC 3264 §8.1: a new stream may reuse "the "slot" used by an old media stream which had been
  // disabled by setting its port to zero".
  if (audioIndex < 0) audioIndex = previousMedia.findIndex((m) => m.type === 'audio' && m.port === 0);
  const previousAudio = audioIndex >= 0 ? previousMedia[audioIndex] : undefined;
  // A re-offer keeps the stream's transport — except that a required SRTP never re-offers RTP/AVP.
  const keepPrevious =
    previousAudio !== undefined &&
    protocols.includes(previousAudio.protocol) &&
    (config.srtp?.policy !== 'required' || isSecureProfile(previousAudio.protocol));
  const protocol = keepPrevious ? previousAudio.protocol : (protocols[0] ?? 'RTP/AVP');
  // RFC 5761 §5.1.1: offer rtcp-mux, and keep a=rtcp (RFC 3605) as the fallback for a peer that
  // refuses it.
  const remoteAudio = remote?.media[audioIndex]?.type === 'audio' ? remote.media[audioIndex] : undefined;
  const audio = audioMediaLine(
    config,
    protocol,
    offerFormats(config, previousAudio, remoteAudio),
    direction,
    {
      mux: rtcpMux,
      announcePort: true,
    },
    config.srtp === undefined ? [] : offerCryptoAttributes(config.srtp),
  );

  const media: MediaDescription[] = previousMedia.map((m, i) =>
    i === audioIndex ? audio : m.port === 0 ? m : rejectedLine(m),
  );
  if (audioIndex < 0) media.push(audio);
  return withOriginVersion(sessionShell(config, previous, media), previous);
}

/** A re-offer putting the call on hold (RFC 3264 §8.4): our audio becomes `sendonly` or `inactive`. */
export function holdOffer(previous: SessionDescription, mode: 'sendonly' | 'inactive'): SessionDescription {
  return redirect(previous, mode);
}

/** A re-offer taking the call off hold: our audio becomes `sendrecv` again. */
export function resumeOffer(previous: SessionDescription): SessionDescription {
  return redirect(previous, 'sendrecv');
}

function redirect(previous: SessionDescription, direction: Direction): SessionDescription {
  const index = previous.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (index < 0) throw new Error('the previous description has no active audio stream to hold or resume');
  const media = previous.media.map((m, i) =>
    i === index ? { ...m, attributes: withDirection(m.attributes, direction) } : m,
  );
  return withOriginVersion({ ...previous, media }, previous);
}

// ───────────────────────────── createAnswer ─────────────────────────────

/**
 * Our answer to `remoteOffer`. `previous` is the last description we sent in this session (for a
 * re-offer's answer: same `o=`, version rule of RFC 3264 §8).
 */
export function createAnswer(
  remoteOffer: SessionDescription,
  config: LocalMediaConfig,
  previous?: SessionDescription,
): CreateAnswerResult {
  checkConfig(config);
  const protocols = protocolsOf(config);
  const ourDirection = config.direction ?? 'sendrecv';

  let chosen: { index: number; formats: OurFormat[]; crypto: Attribute[] } | undefined;
  let sawAudio = false;
  let sawCrypto: string | undefined;
  for (let i = 0; i < remoteOffer.media.length && chosen === undefined; i++) {
    const m = remoteOffer.media[i] as MediaDescription;
    if (!isOurAudio(m, protocols)) continue;
    const crypto = config.srtp === undefined ? undefined : answerCryptoAttribute(m, config.srtp);
    if (crypto === undefined && (isSecureProfile(m.protocol) || config.srtp?.policy === 'required')) {
      // RFC 4568 §7.1.2: a stream whose crypto we cannot accept is rejected — and one without crypto
      // when SRTP is required of us.
      sawCrypto ??= isSecureProfile(m.protocol)
        ? "the offer's a=crypto lines name no suite and key we can use (RFC 4568 §7.1.2)"
        : 'SRTP is required and the offer has no a=crypto we can use';
      continue;
    }
    sawAudio = true;
    const formats = answerFormats(rtpFormats(m), config);
    if (formats.some((f) => !isTelephoneEvent(f.codec)))
      chosen = { index: i, formats, crypto: crypto === undefined ? [] : [crypto] };
  }
  if (chosen === undefined) {
    if (sawAudio) return failure('no-common-codec', 'no offered audio codec matches ours (RFC 3264 §6.1)');
    return sawCrypto !== undefined
      ? failure('no-common-crypto', sawCrypto)
      : failure('no-audio', 'the offer has no audio stream over a transport we accept');
  }

  const offered = remoteOffer.media[chosen.index] as MediaDescription;
  const offerConnection = mediaConnection(offered, remoteOffer);
  const offerDirection = mediaDirection(offered, remoteOffer);
  // RFC 3264 §8.4: RFC 2543 hold by "c=0.0.0.0" — the offerer cannot receive; treat as sendonly.
  const offererReceives =
    receives(offerDirection) && !(offerConnection && isUnspecifiedAddress(offerConnection.address));
  // RFC 3264 §6.1: a sendonly offer is answered recvonly, recvonly → sendonly, inactive → inactive,
  // sendrecv → any; combined with what we want (our own hold).
  const direction = directionFrom(
    offererReceives && sends(ourDirection),
    sends(offerDirection) && receives(ourDirection),
  );
  // RFC 5761 §5.1.1: accept rtcp-mux by including it in the answer.
  const rtcpMux = (config.rtcpMux ?? true) && hasRtcpMux(offered);

  // With mux accepted there is no separate RTCP port to announce.
  const audio = audioMediaLine(
    config,
    offered.protocol,
    chosen.formats,
    direction,
    { mux: rtcpMux, announcePort: !rtcpMux },
    chosen.crypto,
  );
  const media = remoteOffer.media.map((m, i) => (i === chosen.index ? audio : rejectedLine(m)));
  const answer = withOriginVersion(sessionShell(config, previous, media), previous);
  const result = negotiate(answer, remoteOffer, 'answerer', chosen.index);
  if (!result.ok) return result;
  return { ok: true, answer, media: result.media };
}

/**
 * Codecs for our answer: OUR preference order (RFC 3264 §6.1: the answerer "MAY list them in a
 * different order of preference"), each under the offerer's payload type number (RFC 3264 §6.1: "that
 * same payload type number SHOULD be used for that codec in the answer"), matched by encoding name
 * (case-insensitive), clock rate and channels. telephone-event is kept if the offer has it at our rate,
 * with the events both sides handle.
 */
function answerFormats(offered: readonly RtpFormat[], config: LocalMediaConfig): OurFormat[] {
  const out: OurFormat[] = [];
  for (const c of config.codecs) {
    const mine = descriptorOf(c);
    const match = offered.find((f) => sameDescriptor(asDescriptor(f), mine));
    if (match !== undefined && !out.some((o) => o.payloadType === match.payloadType)) {
      out.push({ payloadType: match.payloadType, codec: mine, parameters: c.parameters });
    }
  }
  if (config.telephoneEvent && out.length > 0) {
    const rate = telephoneEventRate(config);
    const te = offered.find(
      (f) =>
        f.encodingName !== undefined && isTelephoneEvent({ name: f.encodingName }) && f.clockRate === rate,
    );
    if (te !== undefined) {
      const events = commonEvents(config.telephoneEvent.events ?? DEFAULT_TELEPHONE_EVENTS, te.parameters);
      if (events.length > 0) {
        out.push({
          payloadType: te.payloadType,
          codec: { name: 'telephone-event', clockRate: rate, channels: 1 },
          parameters: formatEventList(events),
        });
      }
    }
  }
  return out;
}

/** Events in both lists; a missing or unreadable list means DTMF 0-15 (RFC 4733 §7.1.1). */
function commonEvents(ours: readonly number[], theirs: string | undefined): number[] {
  const read = theirs === undefined || theirs === '' ? undefined : readEventList(theirs);
  const other = new Set(read?.ok ? read.value : DEFAULT_TELEPHONE_EVENTS);
  return ours.filter((e) => other.has(e));
}

// ───────────────────────────── applyAnswer / negotiate ─────────────────────────────

/**
 * The negotiated media for our offer and the peer's answer, or why it failed. Our offers carry one audio
 * stream; for an offer with several (e.g. built by hand), the first one the answer accepted counts.
 */
export function applyAnswer(
  localOffer: SessionDescription,
  remoteAnswer: SessionDescription,
): NegotiationResult {
  // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
  if (remoteAnswer.media.length !== localOffer.media.length) {
    return failure(
      'answer-mismatch',
      `the answer has ${remoteAnswer.media.length} m-lines, the offer ${localOffer.media.length}`,
    );
  }
  let first: NegotiationResult | undefined;
  for (let i = 0; i < localOffer.media.length; i++) {
    const m = localOffer.media[i] as MediaDescription;
    if (m.type !== 'audio' || m.port === 0) continue;
    const result = negotiate(localOffer, remoteAnswer, 'offerer', i);
    if (result.ok) return result;
    first ??= result;
  }
  if (first === undefined) throw new Error('our offer has no active audio stream');
  return first;
}

/**
 * What both descriptions agree on for the audio m-line at `index`. `local` is ours, `remote` the
 * peer's; `role` says which of them is the offer.
 */
export function negotiate(
  local: SessionDescription,
  remote: SessionDescription,
  role: 'offerer' | 'answerer',
  index: number,
): NegotiationResult {
  const localMedia = local.media[index];
  const remoteMedia = remote.media[index];
  if (localMedia === undefined || remoteMedia === undefined) {
    return failure('answer-mismatch', `m-line ${index} is missing on one side`);
  }
  if (remoteMedia.type !== localMedia.type) {
    return failure(
      'answer-mismatch',
      `m-line ${index} is ${localMedia.type} in the offer but ${remoteMedia.type} in the answer`,
    );
  }
  if (remoteMedia.port === 0 || localMedia.port === 0)
    return failure('media-rejected', 'the audio stream was rejected (port 0)');

  const localFormats = rtpFormats(localMedia);
  const remoteFormats = rtpFormats(remoteMedia);
  const answerSide = role === 'offerer' ? remoteFormats : localFormats;
  const offerSide = role === 'offerer' ? localFormats : remoteFormats;

  // The answer's order decides; a format counts only if the offer lists the same codec.
  const codecs: NegotiatedCodec[] = [];
  let telephoneEvent: NegotiatedMedia['telephoneEvent'];
  for (const a of answerSide) {
    const codec = asDescriptor(a);
    if (codec === undefined) continue;
    const o = offerSide.find((f) => sameDescriptor(asDescriptor(f), codec));
    if (o === undefined) continue;
    const localFormat = role === 'offerer' ? o : a;
    const remoteFormat = role === 'offerer' ? a : o;
    if (isTelephoneEvent(codec)) {
      if (telephoneEvent === undefined) {
        const own = localFormat.parameters ? readEventList(localFormat.parameters) : undefined;
        telephoneEvent = {
          sendPayloadType: remoteFormat.payloadType,
          receivePayloadType: localFormat.payloadType,
          clockRate: codec.clockRate,
          events: commonEvents(own?.ok ? own.value : DEFAULT_TELEPHONE_EVENTS, remoteFormat.parameters),
        };
      }
      continue;
    }
    if (codec.name.toLowerCase() === 'cn') continue; // comfort noise is never "the" codec
    codecs.push({
      ...codec,
      sendPayloadType: remoteFormat.payloadType,
      receivePayloadType: localFormat.payloadType,
      remoteParameters: remoteFormat.parameters,
    });
  }
  const first = codecs[0];
  if (first === undefined)
    return failure('no-common-codec', 'the answer lists no codec of the offer (RFC 3264 §6.1)');

  const remoteConnection = mediaConnection(remoteMedia, remote);
  if (remoteConnection === undefined)
    return failure('answer-mismatch', 'the peer gave no connection address');
  const remoteRtp = { address: remoteConnection.address, port: remoteMedia.port };
  const rtcpMux = hasRtcpMux(localMedia) && hasRtcpMux(remoteMedia);
  const rtcp = rtcpAttribute(remoteMedia);
  const remoteRtcp = rtcpMux
    ? remoteRtp
    : rtcp !== undefined
      ? { address: rtcp.address ?? remoteConnection.address, port: rtcp.port }
      : // RFC 3550 §11: "RTCP … on the next higher (odd) port number".
        { address: remoteConnection.address, port: remoteMedia.port + 1 };

  const localDirection = mediaDirection(localMedia, local);
  const remoteDirection = mediaDirection(remoteMedia, remote);
  const remoteReceives = receives(remoteDirection) && !isUnspecifiedAddress(remoteConnection.address);
  const send = sends(localDirection) && remoteReceives;
  const receive = receives(localDirection) && sends(remoteDirection);
  // As answerer, the offer alone says whether the peer wants our media; as offerer, only a refusal of
  // media we offered to send is a hold (answering our `inactive` with `inactive` is not).
  const remoteHold = !remoteReceives && (role === 'answerer' || sends(localDirection));

  const srtp = negotiateSrtp(localMedia, remoteMedia, role);
  if (!srtp.ok) return failure('no-common-crypto', srtp.reason);

  const localPtime = packetTime(localMedia) ?? DEFAULT_PTIME;
  return {
    ok: true,
    media: {
      mediaIndex: index,
      codec: first,
      codecs,
      telephoneEvent,
      ptime: packetTime(remoteMedia) ?? localPtime,
      remoteMaxptime: maxPacketTime(remoteMedia),
      remoteRtp,
      remoteRtcp,
      rtcpMux,
      direction: directionFrom(send, receive),
      send,
      receive,
      remoteHold,
      remoteIce: offersIce(remoteMedia, remote) ? iceDescription(remoteMedia, remote) : undefined,
      srtp: srtp.value,
    },
  };
}

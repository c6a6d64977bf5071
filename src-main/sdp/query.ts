/**
 * Typed access to a parsed description: the codecs of an m-line, its direction, connection, RTCP
 * address, ICE parameters, SSRCs and security attributes — and small, copy-on-write edits of attribute
 * lists. Malformed attributes (already reported as parse warnings) are skipped here.
 */
import {
  readCandidate,
  readCrypto,
  readFingerprint,
  readFmtp,
  readIceCredential,
  readIceOptions,
  readMid,
  readPacketTime,
  readRemoteCandidates,
  readRtcp,
  readRtpmap,
  readSetup,
  readSsrc,
  isDirection,
} from './attributes.ts';
import type {
  AttributeReading,
  CryptoAttribute,
  FingerprintAttribute,
  IceCandidate,
  RemoteCandidate,
  RtcpAttribute,
  SetupRole,
  SsrcAttribute,
} from './attributes.ts';
import { STATIC_PAYLOAD_TYPES } from './codecs.ts';
import type { Attribute, Connection, Direction, MediaDescription, SessionDescription } from './model.ts';

// ───────────────────────────── generic attribute access ─────────────────────────────

export function findAttribute(attributes: readonly Attribute[], name: string): Attribute | undefined {
  return attributes.find((a) => a.name === name);
}

export function hasAttribute(attributes: readonly Attribute[], name: string): boolean {
  return attributes.some((a) => a.name === name);
}

/** Values of every `a=<name>:<value>` in order (flag forms without a value are left out). */
export function attributeValues(attributes: readonly Attribute[], name: string): string[] {
  const out: string[] = [];
  for (const a of attributes) if (a.name === name && a.value !== undefined) out.push(a.value);
  return out;
}

function readAll<T>(
  attributes: readonly Attribute[],
  name: string,
  read: (v: string) => AttributeReading<T>,
): T[] {
  const out: T[] = [];
  for (const v of attributeValues(attributes, name)) {
    const r = read(v);
    if (r.ok) out.push(r.value);
  }
  return out;
}

function readFirst<T>(
  attributes: readonly Attribute[],
  name: string,
  read: (v: string) => AttributeReading<T>,
): T | undefined {
  return readAll(attributes, name, read)[0];
}

// ───────────────────────────── formats / codecs ─────────────────────────────

/** One entry of an RTP m-line's format list, with what rtpmap/fmtp (or RFC 3551) say about it. */
export interface RtpFormat {
  readonly payloadType: number;
  /** Encoding name; undefined for a dynamic type without rtpmap (unusable). */
  readonly encodingName: string | undefined;
  readonly clockRate: number | undefined;
  readonly channels: number;
  /** The fmtp parameter text, if any. */
  readonly parameters: string | undefined;
}

/**
 * The formats of an RTP m-line in m-line (preference) order. rtpmap wins over the static table; a
 * static type without rtpmap takes its RFC 3551 meaning. Non-numeric formats are skipped.
 */
export function rtpFormats(media: MediaDescription): RtpFormat[] {
  const rtpmaps = readAll(media.attributes, 'rtpmap', readRtpmap);
  const fmtps = readAll(media.attributes, 'fmtp', readFmtp);
  const out: RtpFormat[] = [];
  for (const fmt of media.formats) {
    if (!/^[0-9]{1,3}$/.test(fmt) || Number(fmt) > 127) continue;
    const payloadType = Number(fmt);
    const map = rtpmaps.find((r) => r.payloadType === payloadType);
    const fixed = STATIC_PAYLOAD_TYPES.get(payloadType);
    const parameters = fmtps.find((f) => f.format === fmt)?.parameters;
    if (map !== undefined) {
      out.push({
        payloadType,
        encodingName: map.encodingName,
        clockRate: map.clockRate,
        channels: map.encodingParameters ?? 1,
        parameters,
      });
    } else if (fixed !== undefined) {
      out.push({
        payloadType,
        encodingName: fixed.name,
        clockRate: fixed.clockRate,
        channels: fixed.channels,
        parameters,
      });
    } else {
      out.push({ payloadType, encodingName: undefined, clockRate: undefined, channels: 1, parameters });
    }
  }
  return out;
}

export function packetTime(media: MediaDescription): number | undefined {
  return readFirst(media.attributes, 'ptime', readPacketTime);
}

export function maxPacketTime(media: MediaDescription): number | undefined {
  return readFirst(media.attributes, 'maxptime', readPacketTime);
}

// ───────────────────────────── direction / addresses ─────────────────────────────

/** The last direction attribute in a list, if any. */
export function directionAttribute(attributes: readonly Attribute[]): Direction | undefined {
  let found: Direction | undefined;
  for (const a of attributes) if (isDirection(a.name)) found = a.name;
  return found;
}

/**
 * RFC 8866 §6.7: a media-level direction attribute overrides the session-level one, and with neither
 * the stream is sendrecv ("If none of the attributes … are present, … sendrecv SHOULD be assumed").
 */
export function mediaDirection(media: MediaDescription, session?: SessionDescription): Direction {
  return (
    directionAttribute(media.attributes) ?? (session && directionAttribute(session.attributes)) ?? 'sendrecv'
  );
}

/** RFC 8866 §5.7: the media-level `c=` (first, for unicast) or else the session-level one. */
export function mediaConnection(
  media: MediaDescription,
  session: SessionDescription,
): Connection | undefined {
  return media.connections[0] ?? session.connection;
}

/** `0.0.0.0` (RFC 2543 hold, RFC 3264 §8.4) or `::`: an address nobody can send to. */
export function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || (address.includes('::') && /^[0:]+$/.test(address));
}

export function rtcpAttribute(media: MediaDescription): RtcpAttribute | undefined {
  return readFirst(media.attributes, 'rtcp', readRtcp);
}

export function hasRtcpMux(media: MediaDescription): boolean {
  return hasAttribute(media.attributes, 'rtcp-mux');
}

// ───────────────────────────── ICE ─────────────────────────────

/** The ICE attributes that apply to one m-line (RFC 8839 §5). */
export interface IceDescription {
  readonly ufrag: string | undefined;
  readonly pwd: string | undefined;
  /** Session-level `a=ice-lite` (RFC 8839 §5.3). */
  readonly lite: boolean;
  readonly options: readonly string[];
  readonly candidates: readonly IceCandidate[];
  readonly remoteCandidates: readonly RemoteCandidate[];
  /** `a=end-of-candidates` at media or session level (RFC 8840). */
  readonly endOfCandidates: boolean;
}

/**
 * RFC 8839 §5.4: ice-ufrag/ice-pwd "can appear at either the session-level or media-level. When present
 * in both, the value in the media-level takes precedence." ice-options likewise (§5.6).
 */
export function iceDescription(media: MediaDescription, session: SessionDescription): IceDescription {
  const pick = (name: string): string | undefined =>
    readFirst(media.attributes, name, readIceCredential) ??
    readFirst(session.attributes, name, readIceCredential);
  const options =
    readFirst(media.attributes, 'ice-options', readIceOptions) ??
    readFirst(session.attributes, 'ice-options', readIceOptions) ??
    [];
  return {
    ufrag: pick('ice-ufrag'),
    pwd: pick('ice-pwd'),
    lite: hasAttribute(session.attributes, 'ice-lite'),
    options,
    candidates: readAll(media.attributes, 'candidate', readCandidate),
    remoteCandidates: readFirst(media.attributes, 'remote-candidates', readRemoteCandidates) ?? [],
    endOfCandidates:
      hasAttribute(media.attributes, 'end-of-candidates') ||
      hasAttribute(session.attributes, 'end-of-candidates'),
  };
}

/** True when the m-line (or session) carries any ICE credential — i.e. the peer does ICE. */
export function offersIce(media: MediaDescription, session: SessionDescription): boolean {
  const ice = iceDescription(media, session);
  return ice.ufrag !== undefined && ice.pwd !== undefined;
}

// ───────────────────────────── mid / ssrc / security ─────────────────────────────

export function mediaId(media: MediaDescription): string | undefined {
  return readFirst(media.attributes, 'mid', readMid);
}

export function ssrcAttributes(media: MediaDescription): SsrcAttribute[] {
  return readAll(media.attributes, 'ssrc', readSsrc);
}

export function cryptoAttributes(media: MediaDescription): CryptoAttribute[] {
  return readAll(media.attributes, 'crypto', readCrypto);
}

/** RFC 8122 §5: fingerprint may be media- or session-level; media-level wins. */
export function fingerprints(media: MediaDescription, session: SessionDescription): FingerprintAttribute[] {
  const own = readAll(media.attributes, 'fingerprint', readFingerprint);
  return own.length > 0 ? own : readAll(session.attributes, 'fingerprint', readFingerprint);
}

export function setupRole(media: MediaDescription, session: SessionDescription): SetupRole | undefined {
  return readFirst(media.attributes, 'setup', readSetup) ?? readFirst(session.attributes, 'setup', readSetup);
}

// ───────────────────────────── copy-on-write edits ─────────────────────────────

/**
 * Sets the direction of an attribute list: the first existing direction attribute is replaced in
 * place, any others dropped; with none, the new one is appended. Everything else keeps its order.
 */
export function withDirection(attributes: readonly Attribute[], direction: Direction): Attribute[] {
  const out: Attribute[] = [];
  let placed = false;
  for (const a of attributes) {
    if (!isDirection(a.name)) out.push(a);
    else if (!placed) {
      out.push({ name: direction });
      placed = true;
    }
  }
  if (!placed) out.push({ name: direction });
  return out;
}

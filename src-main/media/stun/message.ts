/**
 * STUN messages (RFC 5389 §6, §15) as typed values, encoded and decoded through werift's `Message` codec.
 *
 * werift's codec knows most attributes we need — XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, CHANGE-REQUEST,
 * RESPONSE-ORIGIN, OTHER-ADDRESS, the RFC 3489 SOURCE-/CHANGED-ADDRESS, ERROR-CODE, the TURN attributes
 * and the ICE ones (PRIORITY, USE-CANDIDATE, ICE-CONTROLLING/-CONTROLLED) — and checks FINGERPRINT and
 * MESSAGE-INTEGRITY when decoding. What it lacks, this module adds:
 *
 *  - RESPONSE-PORT (0x0027) and PADDING (0x0026) from RFC 5780, carried as raw attributes;
 *  - MESSAGE-INTEGRITY and FINGERPRINT appended by us after every other attribute: werift serialises its
 *    raw attributes after its named ones, so its own `addMessageIntegrity` would put RESPONSE-PORT after
 *    MESSAGE-INTEGRITY, which RFC 5389 §15.4 forbids ("agents MUST ignore all other attributes that
 *    follow MESSAGE-INTEGRITY", FINGERPRINT excepted);
 *  - the method/class bit interleaving of §6 for any 12-bit method;
 *  - dropping what follows MESSAGE-INTEGRITY on decode (§15.4) and listing the comprehension-required
 *    attributes nobody understood (§7.3.1: a server answers 420 with them).
 *
 * Attributes are encoded in the order of the keys of the `attributes` object, so a caller controls the
 * wire order (the RFC 5769 vectors depend on it).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Message, crc32, parseMessage } from 'werift';
import type { SocketAddress } from '../../platform/index.ts';

// ───────────────────────────── constants ─────────────────────────────

export const STUN_HEADER_BYTES = 20;
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 5389 §15.5: FINGERPRINT is the CRC-32 of the message XOR this value. */
export const FINGERPRINT_XOR = 0x5354554e;

/** STUN and TURN methods (RFC 5389 §18.1, RFC 5766 §13). */
export const StunMethod = {
  binding: 0x001,
  allocate: 0x003,
  refresh: 0x004,
  send: 0x006,
  data: 0x007,
  createPermission: 0x008,
  channelBind: 0x009,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

export type StunClass = 'request' | 'indication' | 'success' | 'error';

const CLASS_BITS: Record<StunClass, number> = {
  request: 0x000,
  indication: 0x010,
  success: 0x100,
  error: 0x110,
};

/** Attribute type numbers (RFC 5389 §18.2, RFC 5780 §7, RFC 5766 §14, RFC 8445 §16.1). */
export const StunAttributeType = {
  MAPPED_ADDRESS: 0x0001,
  CHANGE_REQUEST: 0x0003,
  SOURCE_ADDRESS: 0x0004,
  CHANGED_ADDRESS: 0x0005,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
  XOR_MAPPED_ADDRESS: 0x0020,
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  PADDING: 0x0026,
  RESPONSE_PORT: 0x0027,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
  RESPONSE_ORIGIN: 0x802b,
  OTHER_ADDRESS: 0x802c,
} as const;

/** The IANA protocol number of UDP, for REQUESTED-TRANSPORT (RFC 5766 §14.7). */
export const TRANSPORT_UDP = 17;

// ───────────────────────────── types ─────────────────────────────

/** CHANGE-REQUEST flags (RFC 5780 §7.2). */
export interface ChangeRequest {
  changeIp: boolean;
  changePort: boolean;
}

export interface StunErrorCode {
  /** 300–699 (RFC 5389 §15.6). */
  code: number;
  reason: string;
}

/**
 * The attributes we read and write. MESSAGE-INTEGRITY and FINGERPRINT are not here: they are computed by
 * `encodeStunMessage` and reported by `decodeStunMessage` (see `DecodedStunMessage`).
 */
export interface StunAttributes {
  mappedAddress?: SocketAddress;
  xorMappedAddress?: SocketAddress;
  /** RFC 5780 §7.3: the address the response was sent from. */
  responseOrigin?: SocketAddress;
  /** RFC 5780 §7.4: the server's alternate address and port. */
  otherAddress?: SocketAddress;
  /** RFC 3489's name for OTHER-ADDRESS (old servers). */
  changedAddress?: SocketAddress;
  /** RFC 3489's name for RESPONSE-ORIGIN. */
  sourceAddress?: SocketAddress;
  alternateServer?: SocketAddress;
  changeRequest?: ChangeRequest;
  /** RFC 5780 §7.5: send the response to this port (of the request's source address). */
  responsePort?: number;
  /** RFC 5780 §7.6: this many bytes of padding (a request for path MTU tests). */
  padding?: number;
  username?: string;
  realm?: string;
  nonce?: string;
  software?: string;
  errorCode?: StunErrorCode;
  unknownAttributes?: number[];
  // TURN (RFC 5766)
  lifetime?: number;
  /** An IANA protocol number: 17 for UDP. */
  requestedTransport?: number;
  xorRelayedAddress?: SocketAddress;
  xorPeerAddress?: SocketAddress;
  channelNumber?: number;
  data?: Buffer;
  // ICE (RFC 8445)
  priority?: number;
  useCandidate?: boolean;
  iceControlling?: bigint;
  iceControlled?: bigint;
}

/** A message to send. A missing transaction id is drawn at random when it is encoded. */
export interface StunMessage {
  method: number;
  messageClass: StunClass;
  transactionId: Buffer;
  attributes: StunAttributes;
}

/** A message as received. */
export interface DecodedStunMessage extends StunMessage {
  /** The bytes as received (for MESSAGE-INTEGRITY checks). */
  bytes: Buffer;
  /** The MESSAGE-INTEGRITY value, when present (not yet verified: see `verifyMessageIntegrity`). */
  messageIntegrity?: Buffer;
  /** Present and already checked: a message with a wrong FINGERPRINT does not decode. */
  hasFingerprint: boolean;
  /** Comprehension-required attribute types (< 0x8000) that we do not understand (RFC 5389 §7.3.1). */
  unknownRequired: number[];
}

export type StunDecodeResult =
  | { ok: true; message: DecodedStunMessage }
  | { ok: false; reason: 'not-stun' | 'malformed' | 'bad-fingerprint' };

export interface StunEncodeOptions {
  /** Append MESSAGE-INTEGRITY computed with this key (see credentials.ts for the key forms). */
  integrityKey?: Uint8Array;
  /** Append FINGERPRINT (last). */
  fingerprint?: boolean;
}

// ───────────────────────────── framing helpers ─────────────────────────────

/**
 * Whether `data` is one whole STUN message (RFC 5389 §6: top two bits zero, magic cookie, a length that is
 * a multiple of 4 and matches). demux.ts's classifyPacket uses it for RFC 7983's STUN range.
 */
export function isStunMessage(data: Uint8Array): boolean {
  if (data.length < STUN_HEADER_BYTES || ((data[0] ?? 0xff) & 0xc0) !== 0) return false;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const length = view.readUInt16BE(2);
  return (
    view.readUInt32BE(4) === MAGIC_COOKIE && length % 4 === 0 && data.length === STUN_HEADER_BYTES + length
  );
}

/** A fresh random 96-bit transaction id (RFC 5389 §6: "uniformly and randomly chosen"). */
export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** Message type bits from method and class (RFC 5389 §6, figure 3: M11..M7 C1 M6..M4 C0 M3..M0). */
export function messageType(method: number, messageClass: StunClass): number {
  if (!Number.isInteger(method) || method < 0 || method > 0xfff)
    throw new RangeError(`STUN method ${method} out of range`);
  return ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | CLASS_BITS[messageClass];
}

function methodOf(type: number): number {
  return ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
}

function classOf(type: number): StunClass {
  switch (type & 0x0110) {
    case 0x000:
      return 'request';
    case 0x010:
      return 'indication';
    case 0x100:
      return 'success';
    default:
      return 'error';
  }
}

interface AttributeSpan {
  type: number;
  /** Offset of the attribute header. */
  offset: number;
  length: number;
}

/** The attributes' types and positions, or undefined when a length runs past the end. */
function scanAttributes(data: Buffer): AttributeSpan[] | undefined {
  const spans: AttributeSpan[] = [];
  let pos = STUN_HEADER_BYTES;
  while (pos < data.length) {
    if (pos + 4 > data.length) return undefined;
    const type = data.readUInt16BE(pos);
    const length = data.readUInt16BE(pos + 2);
    const next = pos + 4 + length + ((4 - (length % 4)) % 4);
    if (next > data.length) return undefined;
    spans.push({ type, offset: pos, length });
    pos = next;
  }
  return spans;
}

// ───────────────────────────── encode ─────────────────────────────

type Tuple = readonly [string, number];

function toTuple(address: SocketAddress): Tuple {
  return [address.address, address.port];
}

function fromTuple(value: unknown): SocketAddress | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'number') return undefined;
  const address = value[0];
  return { address, port: value[1], family: address.includes(':') ? 6 : 4 };
}

/** Encode a message; MESSAGE-INTEGRITY and FINGERPRINT come last when asked for (RFC 5389 §15.4, §15.5). */
export function encodeStunMessage(message: StunMessage, options: StunEncodeOptions = {}): Buffer {
  if (message.transactionId.length !== 12) throw new RangeError('a STUN transaction id has 12 bytes');
  const type = messageType(message.method, message.messageClass);
  // werift writes `messageMethod | messageClass` as the type: give it the interleaved bits in one piece.
  const m = new Message(type & 0x3eef, type & 0x0110, Buffer.from(message.transactionId));
  const a = message.attributes;
  for (const key of Object.keys(a) as (keyof StunAttributes)[]) {
    switch (key) {
      case 'mappedAddress':
        if (a.mappedAddress) m.setAttribute('MAPPED-ADDRESS', toTuple(a.mappedAddress));
        break;
      case 'xorMappedAddress':
        if (a.xorMappedAddress) m.setAttribute('XOR-MAPPED-ADDRESS', toTuple(a.xorMappedAddress));
        break;
      case 'responseOrigin':
        if (a.responseOrigin) m.setAttribute('RESPONSE-ORIGIN', toTuple(a.responseOrigin));
        break;
      case 'otherAddress':
        if (a.otherAddress) m.setAttribute('OTHER-ADDRESS', toTuple(a.otherAddress));
        break;
      case 'changedAddress':
        if (a.changedAddress) m.setAttribute('CHANGED-ADDRESS', toTuple(a.changedAddress));
        break;
      case 'sourceAddress':
        if (a.sourceAddress) m.setAttribute('SOURCE-ADDRESS', toTuple(a.sourceAddress));
        break;
      case 'alternateServer':
        if (a.alternateServer) m.setAttribute('ALTERNATE-SERVER', toTuple(a.alternateServer));
        break;
      case 'changeRequest':
        if (a.changeRequest) {
          m.setAttribute(
            'CHANGE-REQUEST',
            (a.changeRequest.changeIp ? 0x04 : 0) | (a.changeRequest.changePort ? 0x02 : 0),
          );
        }
        break;
      case 'responsePort':
        if (a.responsePort !== undefined) {
          // RFC 5780 §7.5: a 16-bit port followed by two bytes of padding.
          const value = Buffer.alloc(4);
          value.writeUInt16BE(a.responsePort, 0);
          m.appendRawAttribute(StunAttributeType.RESPONSE_PORT, value);
        }
        break;
      case 'padding':
        if (a.padding !== undefined) m.appendRawAttribute(StunAttributeType.PADDING, Buffer.alloc(a.padding));
        break;
      case 'username':
        if (a.username !== undefined) m.setAttribute('USERNAME', a.username);
        break;
      case 'realm':
        if (a.realm !== undefined) m.setAttribute('REALM', a.realm);
        break;
      case 'nonce':
        if (a.nonce !== undefined) m.setAttribute('NONCE', Buffer.from(a.nonce, 'utf8'));
        break;
      case 'software':
        if (a.software !== undefined) m.setAttribute('SOFTWARE', a.software);
        break;
      case 'errorCode':
        if (a.errorCode) m.setAttribute('ERROR-CODE', [a.errorCode.code, a.errorCode.reason]);
        break;
      case 'unknownAttributes':
        if (a.unknownAttributes) m.setAttribute('UNKNOWN-ATTRIBUTES', [...a.unknownAttributes]);
        break;
      case 'lifetime':
        if (a.lifetime !== undefined) m.setAttribute('LIFETIME', a.lifetime);
        break;
      case 'requestedTransport':
        // RFC 5766 §14.7: the protocol number in the first byte, then three bytes RFFU.
        if (a.requestedTransport !== undefined)
          m.setAttribute('REQUESTED-TRANSPORT', (a.requestedTransport << 24) >>> 0);
        break;
      case 'xorRelayedAddress':
        if (a.xorRelayedAddress) m.setAttribute('XOR-RELAYED-ADDRESS', toTuple(a.xorRelayedAddress));
        break;
      case 'xorPeerAddress':
        if (a.xorPeerAddress) m.setAttribute('XOR-PEER-ADDRESS', toTuple(a.xorPeerAddress));
        break;
      case 'channelNumber':
        if (a.channelNumber !== undefined) m.setAttribute('CHANNEL-NUMBER', a.channelNumber);
        break;
      case 'data':
        if (a.data) m.setAttribute('DATA', Buffer.from(a.data));
        break;
      case 'priority':
        if (a.priority !== undefined) m.setAttribute('PRIORITY', a.priority);
        break;
      case 'useCandidate':
        if (a.useCandidate) m.setAttribute('USE-CANDIDATE', null);
        break;
      case 'iceControlling':
        if (a.iceControlling !== undefined) m.setAttribute('ICE-CONTROLLING', a.iceControlling);
        break;
      case 'iceControlled':
        if (a.iceControlled !== undefined) m.setAttribute('ICE-CONTROLLED', a.iceControlled);
        break;
      default:
        assertNeverKey(key);
    }
  }
  let bytes: Buffer = m.bytes;
  if (options.integrityKey) bytes = appendMessageIntegrity(bytes, options.integrityKey);
  if (options.fingerprint) bytes = appendFingerprint(bytes);
  return bytes;
}

function assertNeverKey(key: never): never {
  throw new Error(`unknown STUN attribute field ${String(key)}`);
}

/** `bytes` with its header length field set to `length`. */
function withLength(bytes: Buffer, length: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(length, 2);
  return copy;
}

/**
 * The HMAC-SHA1 of RFC 5389 §15.4 over `prefix` (a message up to where MESSAGE-INTEGRITY goes): "the
 * length field of the STUN message header [is adjusted] to point to the end of the MESSAGE-INTEGRITY
 * attribute", i.e. counts the 24 bytes about to be appended and nothing after them.
 */
export function computeMessageIntegrity(prefix: Buffer, key: Uint8Array): Buffer {
  const adjusted = withLength(prefix, prefix.length - STUN_HEADER_BYTES + 24);
  return createHmac('sha1', key).update(adjusted).digest();
}

/** RFC 5389 §15.5 over `prefix` (a message up to where FINGERPRINT goes), length counting FINGERPRINT. */
export function computeFingerprint(prefix: Buffer): number {
  const adjusted = withLength(prefix, prefix.length - STUN_HEADER_BYTES + 8);
  return (crc32(adjusted) ^ FINGERPRINT_XOR) >>> 0;
}

function appendMessageIntegrity(bytes: Buffer, key: Uint8Array): Buffer {
  const hmac = computeMessageIntegrity(bytes, key);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(StunAttributeType.MESSAGE_INTEGRITY, 0);
  header.writeUInt16BE(20, 2);
  return withLength(Buffer.concat([bytes, header, hmac]), bytes.length - STUN_HEADER_BYTES + 24);
}

function appendFingerprint(bytes: Buffer): Buffer {
  const attribute = Buffer.alloc(8);
  attribute.writeUInt16BE(StunAttributeType.FINGERPRINT, 0);
  attribute.writeUInt16BE(4, 2);
  attribute.writeUInt32BE(computeFingerprint(bytes), 4);
  return withLength(Buffer.concat([bytes, attribute]), bytes.length - STUN_HEADER_BYTES + 8);
}

// ───────────────────────────── decode ─────────────────────────────

/** The attribute types this module understands (everything else that is < 0x8000 is "unknown required"). */
const UNDERSTOOD = new Set<number>(Object.values(StunAttributeType));

/** Decode one whole STUN message (a datagram, or one frame cut from a stream). */
export function decodeStunMessage(data: Uint8Array): StunDecodeResult {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!isStunMessage(bytes)) return { ok: false, reason: 'not-stun' };
  const spans = scanAttributes(bytes);
  if (spans === undefined) return { ok: false, reason: 'malformed' };

  // §15.4: everything after MESSAGE-INTEGRITY but FINGERPRINT is ignored; §15.5: FINGERPRINT is last.
  const integrityIndex = spans.findIndex((s) => s.type === StunAttributeType.MESSAGE_INTEGRITY);
  const fingerprintIndex = spans.findIndex((s) => s.type === StunAttributeType.FINGERPRINT);
  if (fingerprintIndex >= 0) {
    const span = spans[fingerprintIndex];
    if (span === undefined || span.length !== 4) return { ok: false, reason: 'malformed' };
    if (bytes.readUInt32BE(span.offset + 4) !== computeFingerprint(bytes.subarray(0, span.offset))) {
      return { ok: false, reason: 'bad-fingerprint' };
    }
  }
  // Decode only what counts: the attributes up to MESSAGE-INTEGRITY (or up to FINGERPRINT), with the
  // header length cut to match, so that werift never sees the ignored tail.
  const cut =
    integrityIndex >= 0
      ? (spans[integrityIndex]?.offset ?? 0) + 24
      : (spans[fingerprintIndex]?.offset ?? bytes.length);
  const counted = spans.filter((s) => s.offset < cut);
  const effective =
    cut === bytes.length ? bytes : withLength(bytes.subarray(0, cut), cut - STUN_HEADER_BYTES);
  const parsed = parseMessage(effective);
  if (parsed === undefined) return { ok: false, reason: 'malformed' };

  const attributes: StunAttributes = {};
  const get = (name: Parameters<typeof parsed.getAttributeValue>[0]): unknown =>
    parsed.getAttributeValue(name);
  const address = (name: Parameters<typeof parsed.getAttributeValue>[0]): SocketAddress | undefined =>
    fromTuple(get(name));
  let messageIntegrity: Buffer | undefined;
  const unknownRequired: number[] = [];

  for (const span of counted) {
    const value = bytes.subarray(span.offset + 4, span.offset + 4 + span.length);
    switch (span.type) {
      case StunAttributeType.MAPPED_ADDRESS:
        attributes.mappedAddress = address('MAPPED-ADDRESS');
        break;
      case StunAttributeType.XOR_MAPPED_ADDRESS:
        attributes.xorMappedAddress = address('XOR-MAPPED-ADDRESS');
        break;
      case StunAttributeType.RESPONSE_ORIGIN:
        attributes.responseOrigin = address('RESPONSE-ORIGIN');
        break;
      case StunAttributeType.OTHER_ADDRESS:
        attributes.otherAddress = address('OTHER-ADDRESS');
        break;
      case StunAttributeType.CHANGED_ADDRESS:
        attributes.changedAddress = address('CHANGED-ADDRESS');
        break;
      case StunAttributeType.SOURCE_ADDRESS:
        attributes.sourceAddress = address('SOURCE-ADDRESS');
        break;
      case StunAttributeType.ALTERNATE_SERVER:
        attributes.alternateServer = address('ALTERNATE-SERVER');
        break;
      case StunAttributeType.CHANGE_REQUEST: {
        if (value.length !== 4) return { ok: false, reason: 'malformed' };
        const flags = value.readUInt32BE(0);
        attributes.changeRequest = { changeIp: (flags & 0x04) !== 0, changePort: (flags & 0x02) !== 0 };
        break;
      }
      case StunAttributeType.RESPONSE_PORT:
        if (value.length !== 4) return { ok: false, reason: 'malformed' };
        attributes.responsePort = value.readUInt16BE(0);
        break;
      case StunAttributeType.PADDING:
        attributes.padding = value.length;
        break;
      case StunAttributeType.USERNAME:
        attributes.username = stringOf(get('USERNAME'));
        break;
      case StunAttributeType.REALM:
        attributes.realm = stringOf(get('REALM'));
        break;
      case StunAttributeType.NONCE:
        attributes.nonce = value.toString('utf8');
        break;
      case StunAttributeType.SOFTWARE:
        attributes.software = stringOf(get('SOFTWARE'));
        break;
      case StunAttributeType.ERROR_CODE: {
        const e = get('ERROR-CODE');
        if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string') {
          attributes.errorCode = { code: e[0], reason: e[1] };
        }
        break;
      }
      case StunAttributeType.UNKNOWN_ATTRIBUTES: {
        const list = get('UNKNOWN-ATTRIBUTES');
        if (Array.isArray(list))
          attributes.unknownAttributes = list.filter((t): t is number => typeof t === 'number');
        break;
      }
      case StunAttributeType.LIFETIME:
        attributes.lifetime = numberOf(get('LIFETIME'));
        break;
      case StunAttributeType.REQUESTED_TRANSPORT:
        if (value.length !== 4) return { ok: false, reason: 'malformed' };
        attributes.requestedTransport = value[0];
        break;
      case StunAttributeType.XOR_RELAYED_ADDRESS:
        attributes.xorRelayedAddress = address('XOR-RELAYED-ADDRESS');
        break;
      case StunAttributeType.XOR_PEER_ADDRESS:
        attributes.xorPeerAddress = address('XOR-PEER-ADDRESS');
        break;
      case StunAttributeType.CHANNEL_NUMBER:
        attributes.channelNumber = numberOf(get('CHANNEL-NUMBER'));
        break;
      case StunAttributeType.DATA:
        attributes.data = Buffer.from(value);
        break;
      case StunAttributeType.PRIORITY:
        attributes.priority = numberOf(get('PRIORITY'));
        break;
      case StunAttributeType.USE_CANDIDATE:
        attributes.useCandidate = true;
        break;
      case StunAttributeType.ICE_CONTROLLING: {
        const v = get('ICE-CONTROLLING');
        if (typeof v === 'bigint') attributes.iceControlling = v;
        break;
      }
      case StunAttributeType.ICE_CONTROLLED: {
        const v = get('ICE-CONTROLLED');
        if (typeof v === 'bigint') attributes.iceControlled = v;
        break;
      }
      case StunAttributeType.MESSAGE_INTEGRITY:
        if (span.length !== 20) return { ok: false, reason: 'malformed' };
        messageIntegrity = Buffer.from(value);
        break;
      case StunAttributeType.FINGERPRINT:
        break;
      default:
        if (span.type < 0x8000 && !UNDERSTOOD.has(span.type)) unknownRequired.push(span.type);
    }
  }

  const type = bytes.readUInt16BE(0);
  return {
    ok: true,
    message: {
      method: methodOf(type),
      messageClass: classOf(type),
      transactionId: Buffer.from(bytes.subarray(8, 20)),
      attributes,
      bytes,
      ...(messageIntegrity ? { messageIntegrity } : {}),
      hasFingerprint: fingerprintIndex >= 0,
      unknownRequired,
    },
  };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * Whether the message's MESSAGE-INTEGRITY is present and correct for `key` (RFC 5389 §15.4). Checked by
 * werift's decoder, which recomputes the HMAC over the bytes before the attribute.
 */
export function verifyMessageIntegrity(bytes: Uint8Array, key: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isStunMessage(buffer)) return false;
  return parseMessage(buffer, Buffer.from(key)) !== undefined;
}

/** The mapped address a response reports: XOR-MAPPED-ADDRESS, else the RFC 3489 MAPPED-ADDRESS. */
export function reflexiveAddressOf(message: StunMessage): SocketAddress | undefined {
  return message.attributes.xorMappedAddress ?? message.attributes.mappedAddress;
}

/** The transaction id as a map key. */
export function transactionKey(transactionId: Uint8Array): string {
  return Buffer.from(transactionId).toString('hex');
}

/**
 * Typed readings of the attributes the phone understands, and writers for the ones it produces.
 *
 * Each reader takes the text after `a=<name>:` and returns a value or a reason; the parser runs them
 * over every known attribute to report malformed ones (as warnings naming the line), and the query
 * functions in `query.ts` use them to give typed access while skipping what does not parse. The raw
 * attribute always stays in the description, so reading never loses anything.
 */
import type { Direction } from './model.ts';

export type AttributeReading<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): AttributeReading<T> => ({ ok: true, value });
const fail = <T>(reason: string): AttributeReading<T> => ({ ok: false, reason });

// ───────────────────────────── lexical pieces ─────────────────────────────

/** RFC 8866 §9 `token`. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
/** RFC 8839 §5.1 `ice-char` = ALPHA / DIGIT / "+" / "/". */
const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const DIGITS = /^[0-9]+$/;
/** Printable non-space ASCII (VCHAR). */
const VCHARS = /^[\x21-\x7e]+$/;
/** Host names, IPv4 and IPv6 literals (no brackets), mDNS `.local` names. */
const ADDRESS = /^[0-9A-Za-z.:\-_]+$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

function readInteger(text: string, min: number, max: number): number | undefined {
  if (!DIGITS.test(text) || text.length > 10) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function readPort(text: string): number | undefined {
  return readInteger(text, 0, 65535);
}

/** Splits on runs of spaces/tabs; SDP requires single spaces, but doubled ones are tolerated. */
function fields(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/[ \t]+/);
}

// ───────────────────────────── rtpmap / fmtp / ptime ─────────────────────────────

/** `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` (RFC 8866 §6.6). */
export interface Rtpmap {
  readonly payloadType: number;
  readonly encodingName: string;
  readonly clockRate: number;
  /** For audio: the channel count; absent means 1. */
  readonly encodingParameters?: number | undefined;
}

export function readRtpmap(value: string): AttributeReading<Rtpmap> {
  const f = fields(value);
  if (f.length !== 2) return fail('expected "<payload type> <encoding>/<clock rate>[/<channels>]"');
  const [ptText, encoding] = f as [string, string];
  const payloadType = readInteger(ptText, 0, 127);
  if (payloadType === undefined) return fail(`payload type "${ptText}" is not 0-127`);
  const parts = encoding.split('/');
  if (parts.length < 2 || parts.length > 3) return fail(`encoding "${encoding}" is not name/rate[/params]`);
  const [name, rateText, paramsText] = parts as [string, string, string | undefined];
  if (!isToken(name)) return fail(`encoding name "${name}" is not a token`);
  const clockRate = readInteger(rateText, 1, 0xffffffff);
  if (clockRate === undefined) return fail(`clock rate "${rateText}" is not a positive integer`);
  if (paramsText === undefined) return ok({ payloadType, encodingName: name, clockRate });
  const encodingParameters = readInteger(paramsText, 1, 0xffff);
  if (encodingParameters === undefined)
    return fail(`encoding parameters "${paramsText}" are not a positive integer`);
  return ok({ payloadType, encodingName: name, clockRate, encodingParameters });
}

export function formatRtpmap(r: Rtpmap): string {
  const params = r.encodingParameters === undefined ? '' : `/${r.encodingParameters}`;
  return `${r.payloadType} ${r.encodingName}/${r.clockRate}${params}`;
}

/** `a=fmtp:<format> <format specific parameters>` (RFC 8866 §6.15). */
export interface Fmtp {
  readonly format: string;
  /** The parameter text as written (e.g. `0-16`, `useinbandfec=1; stereo=0`). */
  readonly parameters: string;
}

export function readFmtp(value: string): AttributeReading<Fmtp> {
  const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(value.trim());
  if (!m || m[1] === undefined) return fail('expected "<format> <parameters>"');
  if (!isToken(m[1])) return fail(`format "${m[1]}" is not a token`);
  return ok({ format: m[1], parameters: (m[2] ?? '').trim() });
}

export function formatFmtp(f: Fmtp): string {
  return f.parameters === '' ? f.format : `${f.format} ${f.parameters}`;
}

/** `name=value; name2=value2` parameter lists used by most fmtp payloads (names kept as written). */
export function readFmtpParameters(parameters: string): { readonly name: string; readonly value?: string }[] {
  return parameters
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? { name: p } : { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() };
    });
}

/** `a=ptime:<ms>` / `a=maxptime:<ms>`: a positive integer or decimal number of milliseconds. */
export function readPacketTime(value: string): AttributeReading<number> {
  const t = value.trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(t)) return fail(`"${t}" is not a number of milliseconds`);
  const n = Number(t);
  return n > 0 ? ok(n) : fail('packet time must be positive');
}

// ───────────────────────────── telephone-event ─────────────────────────────

/**
 * RFC 4733 §7.1.1 event list (`0-15,66,70`) as a sorted set of event codes 0-255. The default for a
 * missing list (DTMF 0-15) is the caller's to apply.
 */
export function readEventList(text: string): AttributeReading<readonly number[]> {
  const events = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^([0-9]{1,3})(?:-([0-9]{1,3}))?$/.exec(part);
    if (!m || m[1] === undefined) return fail(`event range "${part}" is not N or N-M`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 255 || to > 255 || to < from)
      return fail(`event range "${part}" is outside 0-255 or reversed`);
    for (let e = from; e <= to; e++) events.add(e);
  }
  return ok([...events].sort((a, b) => a - b));
}

/** Writes a sorted event set back in its shortest range form: [0..16] → `0-16`, [0..11, 16] → `0-11,16`. */
export function formatEventList(events: readonly number[]): string {
  const sorted = [...new Set(events)].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end += 1;
      i += 1;
    }
    out.push(start === end ? `${start}` : `${start}-${end}`);
    i += 1;
  }
  return out.join(',');
}

// ───────────────────────────── direction / rtcp ─────────────────────────────

export function isDirection(name: string): name is Direction {
  return name === 'sendrecv' || name === 'sendonly' || name === 'recvonly' || name === 'inactive';
}

/** `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605 §2.1). */
export interface RtcpAttribute {
  readonly port: number;
  readonly netType?: string | undefined;
  readonly addressType?: string | undefined;
  readonly address?: string | undefined;
}

export function readRtcp(value: string): AttributeReading<RtcpAttribute> {
  const f = fields(value);
  if (f.length !== 1 && f.length !== 4)
    return fail('expected "<port>" or "<port> <nettype> <addrtype> <address>"');
  const port = readPort(f[0] as string);
  if (port === undefined) return fail(`port "${f[0]}" is not 0-65535`);
  if (f.length === 1) return ok({ port });
  const [, netType, addressType, address] = f as [string, string, string, string];
  if (!ADDRESS.test(address)) return fail(`address "${address}" is not an address`);
  return ok({ port, netType, addressType, address });
}

export function formatRtcp(r: RtcpAttribute): string {
  if (r.address === undefined) return `${r.port}`;
  return `${r.port} ${r.netType ?? 'IN'} ${r.addressType ?? (r.address.includes(':') ? 'IP6' : 'IP4')} ${r.address}`;
}

// ───────────────────────────── ICE (RFC 8839) ─────────────────────────────

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type IceTcpType = 'active' | 'passive' | 'so';

/**
 * RFC 8839 §5.1:
 *   candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority SP
 *                         connection-address SP port SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 *   foundation = 1*32ice-char; component-id = 1*3DIGIT; transport = "UDP" / token;
 *   priority = 1*10DIGIT; cand-type = "typ" SP ("host" / "srflx" / "prflx" / "relay" / token);
 *   rel-addr = "raddr" SP connection-address; rel-port = "rport" SP port;
 *   cand-extension = extension-att-name SP extension-att-value (token, *VCHAR)
 * plus RFC 6544 §4.5 `tcptype` and the widespread `generation` extension, which get typed fields.
 */
export interface IceCandidate {
  readonly foundation: string;
  /** 1 = RTP, 2 = RTCP (RFC 8445 §5.1.1). */
  readonly component: number;
  /** As written (`UDP`, `udp`, `TCP`, …); compare case-insensitively. */
  readonly transport: string;
  readonly priority: number;
  readonly address: string;
  readonly port: number;
  readonly type: IceCandidateType | (string & {});
  readonly relatedAddress?: string | undefined;
  readonly relatedPort?: number | undefined;
  readonly tcpType?: IceTcpType | undefined;
  readonly generation?: number | undefined;
  /** Every other extension pair, in order (`ufrag`, `network-id`, `network-cost`, …). */
  readonly extensions: readonly { readonly name: string; readonly value: string }[];
}

export function readCandidate(value: string): AttributeReading<IceCandidate> {
  const f = fields(value);
  if (f.length < 8)
    return fail(
      'a candidate needs at least 8 fields: foundation component transport priority address port typ type',
    );
  const [foundation, componentText, transport, priorityText, address, portText, typ, type] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (foundation.length > 32 || !ICE_CHARS.test(foundation))
    return fail(`foundation "${foundation}" is not 1-32 ice-chars`);
  if (!/^[0-9]{1,3}$/.test(componentText)) return fail(`component "${componentText}" is not 1-3 digits`);
  const component = Number(componentText);
  if (component < 1 || component > 256) return fail(`component ${component} is not 1-256`);
  if (!isToken(transport)) return fail(`transport "${transport}" is not a token`);
  const priority = readInteger(priorityText, 0, 0xffffffff);
  if (priority === undefined) return fail(`priority "${priorityText}" is not 0-4294967295`);
  if (!ADDRESS.test(address)) return fail(`address "${address}" is not an address`);
  const port = readPort(portText);
  if (port === undefined) return fail(`port "${portText}" is not 0-65535`);
  if (typ !== 'typ') return fail(`expected "typ" before the candidate type, found "${typ}"`);
  if (!isToken(type)) return fail(`candidate type "${type}" is not a token`);

  let rest = f.slice(8);
  let relatedAddress: string | undefined;
  let relatedPort: number | undefined;
  // rel-addr and rel-port are positional: raddr first, then rport, before any extension.
  if (rest[0] === 'raddr') {
    const ra = rest[1];
    if (ra === undefined || !ADDRESS.test(ra)) return fail('"raddr" is not followed by an address');
    relatedAddress = ra;
    rest = rest.slice(2);
  }
  if (rest[0] === 'rport') {
    const rp = rest[1] === undefined ? undefined : readPort(rest[1]);
    if (rp === undefined) return fail('"rport" is not followed by a port 0-65535');
    relatedPort = rp;
    rest = rest.slice(2);
  }
  if (rest.length % 2 !== 0) return fail(`extension "${rest[rest.length - 1]}" has no value`);
  let tcpType: IceTcpType | undefined;
  let generation: number | undefined;
  const extensions: { name: string; value: string }[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i] as string;
    const v = rest[i + 1] as string;
    if (!isToken(name)) return fail(`extension name "${name}" is not a token`);
    if (!VCHARS.test(v)) return fail(`extension "${name}" value is not printable`);
    if (name === 'tcptype' && tcpType === undefined) {
      if (v !== 'active' && v !== 'passive' && v !== 'so')
        return fail(`tcptype "${v}" is not active, passive or so`);
      tcpType = v;
    } else if (name === 'generation' && generation === undefined) {
      const g = readInteger(v, 0, 0xffffffff);
      if (g === undefined) return fail(`generation "${v}" is not a number`);
      generation = g;
    } else {
      extensions.push({ name, value: v });
    }
  }
  return ok({
    foundation,
    component,
    transport,
    priority,
    address,
    port,
    type,
    relatedAddress,
    relatedPort,
    tcpType,
    generation,
    extensions,
  });
}

/** Writes the value of `a=candidate:`; order: raddr, rport, tcptype, generation, other extensions. */
export function formatCandidate(c: IceCandidate): string {
  const out = [
    c.foundation,
    `${c.component}`,
    c.transport,
    `${c.priority}`,
    c.address,
    `${c.port}`,
    'typ',
    c.type,
  ];
  if (c.relatedAddress !== undefined) out.push('raddr', c.relatedAddress);
  if (c.relatedPort !== undefined) out.push('rport', `${c.relatedPort}`);
  if (c.tcpType !== undefined) out.push('tcptype', c.tcpType);
  if (c.generation !== undefined) out.push('generation', `${c.generation}`);
  for (const e of c.extensions) out.push(e.name, e.value);
  return out.join(' ');
}

/** RFC 8839 §5.2 `remote-candidates:` 1*(component SP connection-address SP port), space separated. */
export interface RemoteCandidate {
  readonly component: number;
  readonly address: string;
  readonly port: number;
}

export function readRemoteCandidates(value: string): AttributeReading<readonly RemoteCandidate[]> {
  const f = fields(value);
  if (f.length === 0 || f.length % 3 !== 0) return fail('expected groups of "<component> <address> <port>"');
  const out: RemoteCandidate[] = [];
  for (let i = 0; i < f.length; i += 3) {
    const component = /^[0-9]{1,3}$/.test(f[i] as string) ? Number(f[i]) : NaN;
    const address = f[i + 1] as string;
    const port = readPort(f[i + 2] as string);
    if (!(component >= 1 && component <= 256)) return fail(`component "${f[i]}" is not 1-256`);
    if (!ADDRESS.test(address)) return fail(`address "${address}" is not an address`);
    if (port === undefined) return fail(`port "${f[i + 2]}" is not 0-65535`);
    out.push({ component, address, port });
  }
  return ok(out);
}

export function formatRemoteCandidates(list: readonly RemoteCandidate[]): string {
  return list.map((r) => `${r.component} ${r.address} ${r.port}`).join(' ');
}

/**
 * `ice-ufrag` / `ice-pwd` values. Readings are lenient (any printable run) so a peer with an unusual
 * credential still gets ICE; `checkIceCredential` reports RFC 8839 §5.4 conformance (ufrag 4-256,
 * pwd 22-256 ice-chars) for the parser's warnings.
 */
export function readIceCredential(value: string): AttributeReading<string> {
  const t = value.trim();
  return VCHARS.test(t) ? ok(t) : fail('expected one printable word');
}

export function checkIceCredential(kind: 'ice-ufrag' | 'ice-pwd', value: string): string | undefined {
  const min = kind === 'ice-ufrag' ? 4 : 22;
  if (!ICE_CHARS.test(value)) return `${kind} has characters outside ALPHA / DIGIT / "+" / "/"`;
  if (value.length < min || value.length > 256) return `${kind} length ${value.length} is not ${min}-256`;
  return undefined;
}

/** `a=ice-options:<tag> *(SP <tag>)`, tags being 1*ice-char (RFC 8839 §5.6). */
export function readIceOptions(value: string): AttributeReading<readonly string[]> {
  const f = fields(value);
  if (f.length === 0) return fail('no ICE option tags');
  const bad = f.find((t) => !ICE_CHARS.test(t) && !isToken(t));
  return bad === undefined ? ok(f) : fail(`ICE option "${bad}" is not a token`);
}

// ───────────────────────────── mid / ssrc ─────────────────────────────

/** `a=mid:<identification-tag>` (RFC 5888 §4: identification-tag = token). */
export function readMid(value: string): AttributeReading<string> {
  const t = value.trim();
  return isToken(t) ? ok(t) : fail(`mid "${t}" is not a token`);
}

/** `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576 §4.1). */
export interface SsrcAttribute {
  readonly ssrc: number;
  readonly attribute: string;
  readonly value?: string | undefined;
}

export function readSsrc(value: string): AttributeReading<SsrcAttribute> {
  const m = /^([0-9]{1,10})[ \t]+([^:\s]+)(?::(.*))?$/.exec(value.trim());
  if (!m || m[1] === undefined || m[2] === undefined)
    return fail('expected "<ssrc-id> <attribute>[:<value>]"');
  const ssrc = readInteger(m[1], 0, 0xffffffff);
  if (ssrc === undefined) return fail(`ssrc "${m[1]}" is not 0-4294967295`);
  if (!isToken(m[2])) return fail(`source attribute "${m[2]}" is not a token`);
  return ok(m[3] === undefined ? { ssrc, attribute: m[2] } : { ssrc, attribute: m[2], value: m[3] });
}

// ───────────────────────────── security attributes (carried) ─────────────────────────────

/** `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (RFC 4568 §9.1). */
export interface CryptoAttribute {
  readonly tag: number;
  readonly suite: string;
  /** `inline:<key||salt>[|lifetime][|MKI:length]`, several joined by `;`. */
  readonly keyParams: string;
  readonly sessionParams: readonly string[];
}

export function readCrypto(value: string): AttributeReading<CryptoAttribute> {
  const f = fields(value);
  if (f.length < 3) return fail('expected "<tag> <crypto-suite> <key-params> [<session-params>]"');
  const [tagText, suite, keyParams] = f as [string, string, string];
  const tag = /^[0-9]{1,9}$/.test(tagText) ? Number(tagText) : undefined;
  if (tag === undefined) return fail(`tag "${tagText}" is not 1-9 digits`);
  if (!/^[A-Za-z0-9_]+$/.test(suite)) return fail(`crypto-suite "${suite}" is not a suite name`);
  if (!/^[A-Za-z0-9_-]+:/.test(keyParams)) return fail(`key-params "${keyParams}" has no key method`);
  return ok({ tag, suite, keyParams, sessionParams: f.slice(3) });
}

/** `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122 §5). */
export interface FingerprintAttribute {
  readonly hashFunction: string;
  readonly fingerprint: string;
}

export function readFingerprint(value: string): AttributeReading<FingerprintAttribute> {
  const f = fields(value);
  if (f.length !== 2) return fail('expected "<hash-func> <fingerprint>"');
  const [hashFunction, fingerprint] = f as [string, string];
  if (!isToken(hashFunction)) return fail(`hash function "${hashFunction}" is not a token`);
  if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/.test(fingerprint))
    return fail('fingerprint is not colon-separated hex pairs');
  return ok({ hashFunction, fingerprint });
}

/** `a=setup:<role>` (RFC 4145 §4). */
export type SetupRole = 'active' | 'passive' | 'actpass' | 'holdconn';

export function readSetup(value: string): AttributeReading<SetupRole> {
  const t = value.trim();
  return t === 'active' || t === 'passive' || t === 'actpass' || t === 'holdconn'
    ? ok(t)
    : fail(`setup role "${t}" is not active, passive, actpass or holdconn`);
}

// ───────────────────────────── the parser's checklist ─────────────────────────────

/** Flag attributes: must appear without a value. */
const FLAGS = new Set([
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
  'rtcp-mux',
  'ice-lite',
  'end-of-candidates',
  'rtcp-rsize',
]);

/**
 * Checks one attribute the phone understands; returns the reason it is malformed, or undefined when it
 * is fine or not one the phone reads. Used by the parser to produce warnings with line numbers.
 */
export function checkKnownAttribute(name: string, value: string | undefined): string | undefined {
  if (FLAGS.has(name)) return value === undefined ? undefined : `"${name}" takes no value`;
  const check = (reading: AttributeReading<unknown>): string | undefined =>
    reading.ok ? undefined : reading.reason;
  const needs = (v: string | undefined): v is string => v !== undefined;
  switch (name) {
    case 'rtpmap':
      return needs(value) ? check(readRtpmap(value)) : 'rtpmap needs a value';
    case 'fmtp':
      return needs(value) ? check(readFmtp(value)) : 'fmtp needs a value';
    case 'ptime':
    case 'maxptime':
      return needs(value) ? check(readPacketTime(value)) : `${name} needs a value`;
    case 'rtcp':
      return needs(value) ? check(readRtcp(value)) : 'rtcp needs a value';
    case 'candidate':
      return needs(value) ? check(readCandidate(value)) : 'candidate needs a value';
    case 'remote-candidates':
      return needs(value) ? check(readRemoteCandidates(value)) : 'remote-candidates needs a value';
    case 'ice-ufrag':
    case 'ice-pwd':
      if (!needs(value)) return `${name} needs a value`;
      return check(readIceCredential(value)) ?? checkIceCredential(name, value.trim());
    case 'ice-options':
      return needs(value) ? check(readIceOptions(value)) : 'ice-options needs a value';
    case 'mid':
      return needs(value) ? check(readMid(value)) : 'mid needs a value';
    case 'ssrc':
      return needs(value) ? check(readSsrc(value)) : 'ssrc needs a value';
    case 'crypto':
      return needs(value) ? check(readCrypto(value)) : 'crypto needs a value';
    case 'fingerprint':
      return needs(value) ? check(readFingerprint(value)) : 'fingerprint needs a value';
    case 'setup':
      return needs(value) ? check(readSetup(value)) : 'setup needs a value';
    default:
      return undefined;
  }
}

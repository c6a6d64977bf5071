/**
 * Via (RFC 3261 §20.42, §25.1; rport from RFC 3581):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *   via-params    = via-ttl / via-maddr / via-received / via-branch / response-port / via-extension
 *   via-received  = "received" EQUAL (IPv4address / IPv6address)
 *   response-port = "rport" [EQUAL 1*DIGIT]
 */
import { HOST, isToken, parseDigits, trimWsp } from './chars.ts';
import { invalid, ok, type HeaderResult } from './errors.ts';
import { defineHeader } from './headers.ts';
import { hostKind, isIPv4, parseIPv6 } from './host.ts';
import { formatParams, NO_PARAMS, type HeaderParams } from './params.ts';
import { quickVia } from './quick-check.ts';
import { Scanner } from './scanner.ts';

export interface Via {
  /** protocol-name, "SIP". */
  readonly protocol: string;
  /** protocol-version, "2.0". */
  readonly version: string;
  /** Transport in upper case: UDP, TCP, TLS, SCTP, WS, WSS, or another token. */
  readonly transport: string;
  /** sent-by host as written (IPv6 in brackets). */
  readonly host: string;
  readonly port?: number;
  readonly branch?: string;
  /** Address the request came from, as written (IPv6 with or without brackets, RFC 5118 §4.5). */
  readonly received?: string;
  /** rport: a number once filled in by the server, true when requested without value (RFC 3581). */
  readonly rport?: number | true;
  readonly maddr?: string;
  readonly ttl?: number;
  /** The other parameters (names lower case, values as written). */
  readonly params: HeaderParams;
}

/** The RFC 3261 §8.1.1.7 magic cookie that starts every branch of an RFC 3261 client. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const FIELD = 'Via';
const TYPED = new Set(['branch', 'received', 'rport', 'maddr', 'ttl']);

export interface ViaSentBy {
  readonly protocol: string;
  readonly version: string;
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
}

/** sent-protocol LWS sent-by, leaving the cursor after it; an error reason on failure. */
function scanSentBy(sc: Scanner): ViaSentBy | string {
  sc.sws();
  const protocol = sc.token();
  if (protocol.length === 0 || !sc.separator(47)) return 'invalid sent-protocol';
  const version = sc.token();
  if (version.length === 0 || !sc.separator(47)) return 'invalid sent-protocol';
  const transport = sc.token();
  if (transport.length === 0) return 'invalid transport';
  if (!sc.sws()) return 'missing LWS before sent-by';
  let host: string;
  if (sc.peek() === 91) {
    const close = sc.text.indexOf(']', sc.pos);
    if (close < 0) return 'unterminated IPv6 reference';
    host = sc.text.slice(sc.pos, close + 1);
    sc.pos = close + 1;
  } else host = sc.run(HOST);
  if (host.length === 0 || hostKind(host) === undefined) return 'invalid sent-by host';
  let port: number | undefined;
  if (sc.separator(58)) {
    const digits = sc.run(HOST);
    const n = digits.length <= 5 ? parseDigits(digits) : NaN;
    if (!(n >= 0 && n <= 65535)) return 'invalid sent-by port';
    port = n;
  }
  return { protocol, version, transport: transport.toUpperCase(), host, port };
}

/**
 * Just the sent-protocol and sent-by of a Via value, ignoring what follows: enough to route a 400
 * back to a request whose Via parameters are malformed (RFC 4475 §3.1.2.1 wants a 400 there).
 */
export function parseViaSentBy(value: string): ViaSentBy | undefined {
  const r = scanSentBy(new Scanner(value));
  return typeof r === 'string' ? undefined : r;
}

function isAddress(s: string): boolean {
  if (s.charCodeAt(0) === 91) return hostKind(s) === 'ipv6';
  return isIPv4(s) || parseIPv6(s) !== undefined;
}

export function parseVia(value: string): HeaderResult<Via> {
  const sc = new Scanner(value);
  const sent = scanSentBy(sc);
  if (typeof sent === 'string') return invalid(FIELD, sent);
  let branch: string | undefined;
  let received: string | undefined;
  let rport: number | true | undefined;
  let maddr: string | undefined;
  let ttl: number | undefined;
  let params: Map<string, string | null> | undefined;
  for (;;) {
    const r = sc.nextParam();
    if (r === 0) break;
    if (r < 0) return invalid(FIELD, sc.error);
    const v = sc.paramValue;
    switch (sc.paramName) {
      case 'branch':
        if (v === null || !isToken(v)) return invalid(FIELD, 'branch must be a token');
        branch ??= v;
        break;
      case 'received':
        if (v === null || !isAddress(v)) return invalid(FIELD, 'received must be an IP address');
        received ??= v;
        break;
      case 'rport': {
        const n = v === null ? 0 : v.length <= 5 ? parseDigits(v) : NaN;
        if (v !== null && !(n >= 1 && n <= 65535)) return invalid(FIELD, 'rport must be a port number');
        rport ??= v === null ? true : n;
        break;
      }
      case 'maddr':
        if (v === null || hostKind(v) === undefined) return invalid(FIELD, 'maddr must be a host');
        maddr ??= v;
        break;
      case 'ttl': {
        const n = v !== null && v.length <= 3 ? parseDigits(v) : NaN;
        if (!(n >= 0 && n <= 255)) return invalid(FIELD, 'ttl must be 0-255');
        ttl ??= n;
        break;
      }
      default:
        params ??= new Map();
        if (!params.has(sc.paramName)) params.set(sc.paramName, v);
    }
  }
  sc.sws();
  if (!sc.done) return invalid(FIELD, 'unexpected characters after parameters');
  const via: Via = {
    protocol: sent.protocol,
    version: sent.version,
    transport: sent.transport,
    host: sent.host,
    port: sent.port,
    branch,
    received,
    rport,
    maddr,
    ttl,
    params: params ?? NO_PARAMS,
  };
  return ok(via);
}

export function formatVia(via: Via): string {
  let s = `${via.protocol}/${via.version}/${via.transport} ${via.host}`;
  if (via.port !== undefined) s += `:${via.port}`;
  if (via.branch !== undefined) s += `;branch=${via.branch}`;
  if (via.received !== undefined) s += `;received=${via.received}`;
  if (via.rport === true) s += ';rport';
  else if (via.rport !== undefined) s += `;rport=${via.rport}`;
  if (via.maddr !== undefined) s += `;maddr=${via.maddr}`;
  if (via.ttl !== undefined) s += `;ttl=${via.ttl}`;
  const others = [...via.params].filter(([n]) => !TYPED.has(n));
  return s + formatParams(new Map(others));
}

/**
 * The Via of a value quickVia accepted: "SIP/2.0/<TRANSPORT> <host>[:<port>]" and parameters with
 * lower-case names and token (or IPv4) values, separated by ";" with optional SP/HTAB around ";"
 * and "=". Same result as parseVia on such a value (quick-check.test.ts compares them).
 */
export function buildQuickVia(value: string): Via {
  const sp = value.indexOf(' ');
  const transport = value.slice(8, sp); // after "SIP/2.0/"
  const semi = value.indexOf(';', sp + 1);
  let hostEnd = semi < 0 ? value.length : semi;
  while (value.charCodeAt(hostEnd - 1) === 32 || value.charCodeAt(hostEnd - 1) === 9) hostEnd--;
  const colon = value.indexOf(':', sp + 1);
  const hasPort = colon >= 0 && colon < hostEnd;
  const host = value.slice(sp + 1, hasPort ? colon : hostEnd);
  const port = hasPort ? parseDigits(value.slice(colon + 1, hostEnd)) : undefined;
  let branch: string | undefined;
  let received: string | undefined;
  let rport: number | true | undefined;
  let params: Map<string, string | null> | undefined;
  if (semi >= 0) {
    for (const part of value.slice(semi + 1).split(';')) {
      const eq = part.indexOf('=');
      const name = trimWsp(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? null : trimWsp(part.slice(eq + 1));
      switch (name) {
        case 'branch':
          branch ??= v ?? undefined;
          break;
        case 'received':
          received ??= v ?? undefined;
          break;
        case 'rport':
          rport ??= v === null ? true : parseDigits(v);
          break;
        default:
          params ??= new Map();
          if (!params.has(name)) params.set(name, v);
      }
    }
  }
  return {
    protocol: 'SIP',
    version: '2.0',
    transport,
    host,
    port,
    branch,
    received,
    rport,
    maddr: undefined,
    ttl: undefined,
    params: params ?? NO_PARAMS,
  };
}

export const ViaHeader = defineHeader<Via>({
  name: 'Via',
  list: true,
  parse: parseVia,
  format: formatVia,
  quick: quickVia,
  build: buildQuickVia,
});

/** True when the branch carries the RFC 3261 magic cookie (so it can be used for matching, §17.2.3). */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return (
    branch !== undefined &&
    branch.startsWith(BRANCH_MAGIC_COOKIE) &&
    branch.length > BRANCH_MAGIC_COOKIE.length
  );
}

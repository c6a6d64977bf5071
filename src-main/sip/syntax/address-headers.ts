/**
 * Headers whose value is an address: From, To (tag), Contact (wildcard, expires, q, +sip.instance,
 * reg-id), Route, Record-Route, Path, Service-Route, Refer-To, Referred-By, P-Asserted-Identity,
 * Call-Info / Alert-Info.
 */
import { isToken, parseDeltaSeconds, parseDigits, trimWsp, unquote } from './chars.ts';
import { formatAddress, formatNameAddr, scanAddress, type NameAddr, type ScannedAddress } from './address.ts';
import { invalid, ok, type HeaderResult } from './errors.ts';
import { defineHeader, type HeaderCodec } from './headers.ts';
import { formatParams, NO_PARAMS, type HeaderParams } from './params.ts';
import { quickNameAddr } from './quick-check.ts';
import { Scanner } from './scanner.ts';
import { buildQuickSipUri, formatUri, type Uri } from './uri.ts';

interface AddressWithParams {
  readonly address: ScannedAddress;
  readonly params: HeaderParams;
}

/**
 * Reads ( name-addr / addr-spec ) *( SEMI generic-param ) and nothing after. Each parameter goes
 * through `onParam`, which returns true to keep it in the generic map, false when it took it as a
 * typed field, or an error string.
 */
function parseAddressWithParams(
  field: string,
  value: string,
  onParam?: (name: string, value: string | null) => boolean | string,
): HeaderResult<AddressWithParams> {
  const sc = new Scanner(value);
  const address = scanAddress(sc);
  if (typeof address === 'string') return invalid(field, address);
  let params: Map<string, string | null> | undefined;
  for (;;) {
    const r = sc.nextParam();
    if (r === 0) break;
    if (r < 0) return invalid(field, sc.error);
    const keep = onParam === undefined ? true : onParam(sc.paramName, sc.paramValue);
    if (typeof keep === 'string') return invalid(field, keep);
    if (keep) {
      params ??= new Map();
      if (!params.has(sc.paramName)) params.set(sc.paramName, sc.paramValue);
    }
  }
  sc.sws();
  if (!sc.done) return invalid(field, 'unexpected characters after address');
  return ok({ address, params: params ?? NO_PARAMS });
}

// ─────────────────────────── From / To ───────────────────────────

/** From or To: an address plus the dialog tag (RFC 3261 §19.3); `params` holds the other params. */
export interface FromTo extends NameAddr {
  readonly tag?: string;
}

function fromToCodec(name: 'From' | 'To'): HeaderCodec<FromTo> {
  return defineHeader<FromTo>({
    name,
    list: false,
    parse(value) {
      let tag: string | undefined;
      const r = parseAddressWithParams(name, value, (param, v) => {
        if (param !== 'tag') return true;
        if (v === null || !isToken(v)) return 'tag must be a token';
        tag ??= v;
        return false;
      });
      if (!r.ok) return r;
      const a = r.value.address;
      const fromTo: FromTo = { displayName: a.displayName, uri: a.uri, tag, params: r.value.params };
      return ok(fromTo);
    },
    format: (v) =>
      formatAddress(v.displayName, v.uri) +
      (v.tag !== undefined ? `;tag=${v.tag}` : '') +
      formatParams(v.params),
    quick: quickNameAddr,
    build: buildQuickFromTo,
  });
}

/**
 * The From/To of a value quickNameAddr accepted: `[display-name] <sip-uri>` or a bare SIP URI
 * without ";", then parameters with lower-case names and token values. Same result as the full
 * parser on such a value (quick-check.test.ts compares them).
 */
export function buildQuickFromTo(value: string): FromTo {
  // A quoted display name may contain "<": look for the URI after its closing quote.
  let from = 0;
  if (value.charCodeAt(0) === 34) {
    from = 1;
    while (from < value.length && value.charCodeAt(from) !== 34)
      from += value.charCodeAt(from) === 92 ? 2 : 1;
  }
  const lt = value.indexOf('<', from);
  let displayName: string | undefined;
  let uriText: string;
  let rest: string;
  if (lt >= 0) {
    const shown = trimWsp(value.slice(0, lt));
    if (shown.length > 0) displayName = shown.charCodeAt(0) === 34 ? unquote(shown) : shown;
    const gt = value.indexOf('>', lt);
    uriText = value.slice(lt + 1, gt);
    rest = value.slice(gt + 1);
  } else {
    let end = 0;
    while (end < value.length) {
      const c = value.charCodeAt(end);
      if (c === 59 || c === 32 || c === 9) break;
      end++;
    }
    uriText = value.slice(0, end);
    rest = value.slice(end);
  }
  const uri = buildQuickSipUri(uriText);
  let tag: string | undefined;
  let params: Map<string, string | null> | undefined;
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    for (const part of rest.slice(semi + 1).split(';')) {
      const eq = part.indexOf('=');
      const name = trimWsp(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? null : trimWsp(part.slice(eq + 1));
      if (name === 'tag') tag ??= v ?? undefined;
      else {
        params ??= new Map();
        if (!params.has(name)) params.set(name, v);
      }
    }
  }
  return { displayName, uri, tag, params: params ?? NO_PARAMS };
}

export const FromHeader = fromToCodec('From');
export const ToHeader = fromToCodec('To');

// ─────────────────────────── Contact ───────────────────────────

/** "Contact: *" (only in REGISTER with Expires: 0, RFC 3261 §10.2.2). */
export interface ContactWildcard {
  readonly kind: 'wildcard';
}

/** One Contact address; expires/q/+sip.instance/reg-id are lifted out of `params`. */
export interface ContactAddress extends NameAddr {
  readonly kind: 'address';
  /** c-p-expires, delta-seconds. */
  readonly expires?: number;
  /** c-p-q, 0..1 with at most 3 decimals. */
  readonly q?: number;
  /** +sip.instance without its quotes and angle brackets, e.g. "urn:uuid:…" (RFC 5626 §4.1). */
  readonly instance?: string;
  /** reg-id (RFC 5626 §4.2), 1..2**31-1. */
  readonly regId?: number;
}

export type ContactValue = ContactWildcard | ContactAddress;

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
function parseQ(s: string): number {
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(s)) return NaN;
  return Number(s);
}

function parseContact(value: string): HeaderResult<ContactValue> {
  if (value === '*') return ok({ kind: 'wildcard' });
  let expires: number | undefined;
  let q: number | undefined;
  let instance: string | undefined;
  let regId: number | undefined;
  const r = parseAddressWithParams('Contact', value, (param, v) => {
    switch (param) {
      case 'expires': {
        const n = v === null ? NaN : parseDeltaSeconds(v);
        if (Number.isNaN(n)) return 'expires must be delta-seconds (0..2^32-1)';
        expires ??= n;
        return false;
      }
      case 'q': {
        const n = v === null ? NaN : parseQ(v);
        if (Number.isNaN(n)) return 'q must be a qvalue (0..1)';
        q ??= n;
        return false;
      }
      case '+sip.instance': {
        const inner = v === null ? '' : unquote(v);
        if (v === null || !v.startsWith('"') || !inner.startsWith('<') || !inner.endsWith('>')) {
          return '+sip.instance must be a quoted "<URN>"';
        }
        instance ??= inner.slice(1, -1);
        return false;
      }
      case 'reg-id': {
        const n = v === null || v.length > 10 ? NaN : parseDigits(v);
        if (!(n >= 1 && n <= 2147483647)) return 'reg-id must be 1..2^31-1';
        regId ??= n;
        return false;
      }
      default:
        return true;
    }
  });
  if (!r.ok) return r;
  const a = r.value.address;
  const contact: ContactAddress = {
    kind: 'address',
    displayName: a.displayName,
    uri: a.uri,
    params: r.value.params,
    expires,
    q,
    instance,
    regId,
  };
  return ok(contact);
}

function formatContact(v: ContactValue): string {
  if (v.kind === 'wildcard') return '*';
  let s = formatAddress(v.displayName, v.uri);
  if (v.expires !== undefined) s += `;expires=${v.expires}`;
  if (v.q !== undefined) s += `;q=${formatQ(v.q)}`;
  if (v.instance !== undefined) s += `;+sip.instance="<${v.instance}>"`;
  if (v.regId !== undefined) s += `;reg-id=${v.regId}`;
  return s + formatParams(v.params);
}

function formatQ(q: number): string {
  return q.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

export const ContactHeader = defineHeader<ContactValue>({
  name: 'Contact',
  list: true,
  parse: parseContact,
  format: formatContact,
});

// ─────────────────────────── Route and friends ───────────────────────────

/** route-param = name-addr *( SEMI rr-param ): angle brackets are required. */
function routeCodec(name: string): HeaderCodec<NameAddr> {
  return defineHeader<NameAddr>({
    name,
    list: true,
    parse(value) {
      const r = parseAddressWithParams(name, value);
      if (!r.ok) return r;
      const a = r.value.address;
      if (!a.bracketed) return invalid(name, 'route URI must be in <>');
      return ok({ displayName: a.displayName, uri: a.uri, params: r.value.params });
    },
    format: formatNameAddr,
  });
}

export const RouteHeader = routeCodec('Route');
export const RecordRouteHeader = routeCodec('Record-Route');
/** RFC 3327. */
export const PathHeader = routeCodec('Path');
/** RFC 3608. */
export const ServiceRouteHeader = routeCodec('Service-Route');

/** ( name-addr / addr-spec ) *( SEMI param ), one value. */
function addressCodec(name: string, list: boolean): HeaderCodec<NameAddr> {
  return defineHeader<NameAddr>({
    name,
    list,
    parse(value) {
      const r = parseAddressWithParams(name, value);
      if (!r.ok) return r;
      const a = r.value.address;
      return ok({ displayName: a.displayName, uri: a.uri, params: r.value.params });
    },
    format: formatNameAddr,
  });
}

/** RFC 3515 §2.1; a Replaces for attended transfer travels as the URI header "Replaces". */
export const ReferToHeader = addressCodec('Refer-To', false);
/** RFC 3892 §3 (the cid parameter stays in params). */
export const ReferredByHeader = addressCodec('Referred-By', false);
/** RFC 3325 §9.1. */
export const PAssertedIdentityHeader = addressCodec('P-Asserted-Identity', true);

// ─────────────────────────── Call-Info / Alert-Info ───────────────────────────

/** info = LAQUOT absoluteURI RAQUOT *( SEMI info-param ) (RFC 3261 §20.9, §20.4). */
export interface InfoValue {
  readonly uri: Uri;
  readonly params: HeaderParams;
}

function infoCodec(name: string): HeaderCodec<InfoValue> {
  return defineHeader<InfoValue>({
    name,
    list: true,
    parse(value) {
      const r = parseAddressWithParams(name, value);
      if (!r.ok) return r;
      const a = r.value.address;
      if (!a.bracketed || a.displayName !== undefined) return invalid(name, 'expected <URI> and parameters');
      return ok({ uri: a.uri, params: r.value.params });
    },
    format: (v) => `<${formatUri(v.uri)}>${formatParams(v.params)}`,
  });
}

export const CallInfoHeader = infoCodec('Call-Info');
export const AlertInfoHeader = infoCodec('Alert-Info');

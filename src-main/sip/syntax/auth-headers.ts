/**
 * WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization (RFC 3261 §20.7, §20.27,
 * §20.28, §20.44, §25.1) and Authentication-Info (§20.6):
 *
 *   challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *   credentials = ("Digest" LWS digest-response) / other-response
 *   auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *
 * These are not comma lists (§7.3.1 names them as "the exceptions"): the commas separate parameters
 * of one challenge, and several challenges come in several header lines. Parameters keep their
 * order and whether they were quoted, because digest cares (qop is quoted in a challenge and bare
 * in credentials, RFC 3261 §25.1 / RFC 2617 §3.2.2).
 */
import { isToken, quote, unquote } from './chars.ts';
import { invalid, ok, type HeaderResult } from './errors.ts';
import { defineHeader, type HeaderCodec } from './headers.ts';
import { Scanner } from './scanner.ts';

export interface AuthParam {
  /** Lower case ("realm", "nonce", "qop"…). */
  readonly name: string;
  /** Unquoted value. */
  readonly value: string;
  /** Whether it is written as a quoted-string. */
  readonly quoted: boolean;
}

/** One challenge or one set of credentials: scheme ("Digest") and its parameters in order. */
export interface AuthValue {
  readonly scheme: string;
  readonly params: readonly AuthParam[];
}

/** The (unquoted) value of parameter `name` (case-insensitive), or undefined. */
export function authParam(value: AuthValue | readonly AuthParam[], name: string): string | undefined {
  const params = 'params' in value ? value.params : value;
  const key = name.toLowerCase();
  return params.find((p) => p.name === key)?.value;
}

/**
 * `auth-param *(COMMA auth-param)` to the end. Liberal in one point: a missing comma after a
 * quoted-string is tolerated, as RFC 3665 §2.1 F3 prints one ("realm=\"…\"" folded straight into
 * "nonce=…") and the boundary is unambiguous there.
 */
function scanAuthParams(field: string, sc: Scanner): HeaderResult<AuthParam[]> {
  const params: AuthParam[] = [];
  for (;;) {
    sc.sws();
    const name = sc.token();
    if (name.length === 0) return invalid(field, 'expected auth-param name');
    if (!sc.separator(61)) return invalid(field, `auth-param ${name} without "="`);
    let param: AuthParam;
    if (sc.peek() === 34) {
      const q = sc.quotedString();
      if (q === undefined) return invalid(field, `unterminated quoted string in ${name}`);
      param = { name: name.toLowerCase(), value: unquote(q), quoted: true };
    } else {
      const value = sc.token();
      if (value.length === 0) return invalid(field, `auth-param ${name} without value`);
      param = { name: name.toLowerCase(), value, quoted: false };
    }
    params.push(param);
    sc.sws();
    if (sc.done) return ok(params);
    if (sc.char(44)) continue;
    if (!param.quoted) return invalid(field, 'expected "," between auth-params');
  }
}

function authCodec(name: string): HeaderCodec<AuthValue> {
  return defineHeader<AuthValue>({
    name,
    list: false,
    parse(value) {
      const sc = new Scanner(value);
      sc.sws();
      const scheme = sc.token();
      if (scheme.length === 0) return invalid(name, 'missing auth-scheme');
      sc.sws();
      if (sc.done) return ok({ scheme, params: [] });
      const params = scanAuthParams(name, sc);
      return params.ok ? ok({ scheme, params: params.value }) : params;
    },
    format: (v) => (v.params.length === 0 ? v.scheme : `${v.scheme} ${formatAuthParams(v.params)}`),
  });
}

export function formatAuthParams(params: readonly AuthParam[]): string {
  return params
    .map((p) => {
      if (!isToken(p.name)) throw new Error(`invalid auth-param name ${JSON.stringify(p.name)}`);
      if (!p.quoted && !isToken(p.value)) throw new Error(`auth-param ${p.name} must be quoted`);
      return `${p.name}=${p.quoted ? quote(p.value) : p.value}`;
    })
    .join(', ');
}

export const WwwAuthenticateHeader = authCodec('WWW-Authenticate');
export const ProxyAuthenticateHeader = authCodec('Proxy-Authenticate');
export const AuthorizationHeader = authCodec('Authorization');
export const ProxyAuthorizationHeader = authCodec('Proxy-Authorization');

/** Authentication-Info = ainfo *(COMMA ainfo) (nextnonce, qop, rspauth, cnonce, nc). */
export const AuthenticationInfoHeader = defineHeader<readonly AuthParam[]>({
  name: 'Authentication-Info',
  list: false,
  parse(value) {
    const r = scanAuthParams('Authentication-Info', new Scanner(value));
    return r.ok ? ok(r.value) : r;
  },
  format: formatAuthParams,
});

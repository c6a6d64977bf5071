/**
 * Header parameters: `*( SEMI generic-param )`, generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string (RFC 3261 §25.1).
 *
 * Names are stored in lower case (parameter names are case-insensitive). Values are stored as
 * written — a quoted-string keeps its quotes, because `;x="a"` and `;x=a` are different values
 * (feature tags, RFC 3840) — use `unquote()` to read one. A parameter without value maps to null.
 */
import { TOKEN, is, isToken, quote } from './chars.ts';
import type { Scanner } from './scanner.ts';

export type HeaderParams = ReadonlyMap<string, string | null>;

export const NO_PARAMS: HeaderParams = new Map();

/** Characters of a token or a host (IPv6 references and bare IPv6 in Via received/maddr). */
function isGenValueChar(c: number): boolean {
  return is(c, TOKEN) || c === 58 || c === 91 || c === 93;
}

/**
 * Reads `*( SEMI generic-param )` into `into` (created on the first parameter); the first occurrence
 * of a name wins. Stops (without error) at the first character that is not ";". Returns the map
 * (undefined when there were no parameters) or an error reason string.
 */
export function scanParams(
  sc: Scanner,
  into?: Map<string, string | null>,
): Map<string, string | null> | undefined | string {
  for (;;) {
    const r = sc.nextParam();
    if (r === 0) return into;
    if (r < 0) return sc.error;
    into ??= new Map();
    if (!into.has(sc.paramName)) into.set(sc.paramName, sc.paramValue);
  }
}

/** `;name` / `;name=value` for each parameter (values written as stored). */
export function formatParams(params: HeaderParams): string {
  let s = '';
  for (const [name, value] of params) s += value === null ? `;${name}` : `;${name}=${value}`;
  return s;
}

/**
 * Builds a parameter map from a record, in order; null = no value. Values that are neither a
 * token nor already quoted are quoted. Throws on a name that is not a token (a bug in the caller).
 */
export function headerParams(init: Readonly<Record<string, string | null>> = {}): HeaderParams {
  const map = new Map<string, string | null>();
  for (const [name, value] of Object.entries(init)) {
    if (!isToken(name)) throw new Error(`invalid parameter name ${JSON.stringify(name)}`);
    map.set(name.toLowerCase(), value === null ? null : paramValue(value));
  }
  return map;
}

/** A value as it must be written: unchanged when it is a token/host or already quoted, else quoted. */
export function paramValue(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value;
  if (value.length === 0) return '""';
  for (let i = 0; i < value.length; i++) if (!isGenValueChar(value.charCodeAt(i))) return quote(value);
  return value;
}

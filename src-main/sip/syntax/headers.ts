/**
 * The header section of a message: every header line in order, with the name as written (so "v"
 * stays "v" and "TO" stays "TO") and the value unfolded and trimmed but otherwise verbatim. Unknown
 * headers are kept and serialized exactly like known ones.
 *
 * Raw access (get/getAll/values) takes any spelling of a name, compact forms included. Typed access
 * (first/all) takes a HeaderCodec, parses on first use and caches the result on the header line, so
 * a header nobody reads is never parsed. Mutations replace whole lines, which keeps caches true.
 */
import { isToken } from './chars.ts';
import { headerError, type HeaderResult, type SipHeaderError } from './errors.ts';
import { headerKey, isListHeader, splitList } from './header-names.ts';

/** How to read and write one header. For list headers, `parse`/`format` handle one element. */
export interface HeaderCodec<T> {
  /** Canonical full name ("Via", "Call-ID", "WWW-Authenticate"). */
  readonly name: string;
  /** Lookup key: the full name in lower case. */
  readonly key: string;
  /** True when the header is a comma-separated list (RFC 3261 §7.3.1). */
  readonly list: boolean;
  /** For lists: an empty value is an empty list ("Supported:" = none, "Accept:" = no body accepted). */
  readonly emptyAllowed: boolean;
  parse(value: string): HeaderResult<T>;
  format(value: T): string;
  /**
   * Optional fast check of one value: true only for values `parse` accepts (false says nothing).
   * parseMessage uses it to validate without building the value; the value is built on first read.
   */
  readonly quick?: (value: string) => boolean;
  /**
   * Optional: builds the value of a string `quick` accepted, without re-validating it (the same
   * value `parse` would return). Used when a quick-checked header is first read.
   */
  readonly build?: (value: string) => T;
}

export function defineHeader<T>(spec: {
  name: string;
  list: boolean;
  emptyAllowed?: boolean;
  parse: (value: string) => HeaderResult<T>;
  format: (value: T) => string;
  quick?: (value: string) => boolean;
  build?: (value: string) => T;
}): HeaderCodec<T> {
  return {
    name: spec.name,
    key: spec.name.toLowerCase(),
    list: spec.list,
    emptyAllowed: spec.emptyAllowed ?? false,
    parse: spec.parse,
    format: spec.format,
    ...(spec.quick !== undefined && { quick: spec.quick }),
    ...(spec.build !== undefined && { build: spec.build }),
  };
}

export interface HeaderField {
  /** The name as written on the wire (or given by the builder). */
  readonly name: string;
  /** The value with folding undone (each CRLF+indent became one SP) and outer SP/HTAB removed. */
  readonly value: string;
}

/** One header line plus the cached typed parse of it. Internal to this folder. */
export class HeaderLine implements HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  /** The codec of the cached parse, and the cached result. */
  codec: HeaderCodec<unknown> | undefined = undefined;
  parsed: HeaderResult<readonly unknown[]> | undefined = undefined;
  /** Set by the parser when `codec.quick` accepted the value (valid, but not built yet). */
  checked: HeaderCodec<unknown> | undefined = undefined;

  constructor(name: string, key: string, value: string) {
    this.name = name;
    this.key = key;
    this.value = value;
  }

  /** The values of this line for `codec` (list elements split), parsed once and cached. */
  parse<T>(codec: HeaderCodec<T>): HeaderResult<readonly T[]> {
    if (this.codec === codec && this.parsed !== undefined) return this.parsed as HeaderResult<readonly T[]>;
    let result: HeaderResult<readonly T[]>;
    if (this.checked === codec && codec.build !== undefined) {
      // validated by codec.quick while parsing the message (one element, for a list header)
      result = { ok: true, value: [codec.build(this.value)] };
    } else if (codec.list && this.value.length === 0 && codec.emptyAllowed) {
      result = { ok: true, value: [] };
    } else if (codec.list) {
      const values: T[] = [];
      result = { ok: true, value: values };
      for (const element of splitList(this.value)) {
        if (element.length === 0) {
          result = { ok: false, error: headerError('invalid-header', codec.name, 'empty element in list') };
          break;
        }
        const one = codec.parse(element);
        if (!one.ok) {
          result = one;
          break;
        }
        values.push(one.value);
      }
    } else {
      const one = codec.parse(this.value);
      result = one.ok ? { ok: true, value: [one.value] } : one;
    }
    this.codec = codec as HeaderCodec<unknown>;
    this.parsed = result;
    return result;
  }
}

function checkName(name: string): void {
  if (!isToken(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
}

function checkValue(name: string, value: string): void {
  if (value.includes('\r') || value.includes('\n')) {
    throw new Error(`header ${name} value contains CR or LF: ${JSON.stringify(value)}`);
  }
}

const NOTHING: readonly never[] = [];

export class SipHeaders implements Iterable<HeaderField> {
  #lines: HeaderLine[];

  /** Builds a header section from [name, value] pairs, in order. */
  constructor(fields?: Iterable<readonly [name: string, value: string]>) {
    this.#lines = [];
    if (fields !== undefined) for (const [name, value] of fields) this.append(name, value);
  }

  /** Wraps lines produced by the parser (already validated). Internal to this folder. */
  static fromLines(lines: HeaderLine[]): SipHeaders {
    const headers = new SipHeaders();
    headers.#lines = lines;
    return headers;
  }

  /** Number of header lines. */
  get size(): number {
    return this.#lines.length;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.#lines[Symbol.iterator]();
  }

  /** All lines with their lookup keys (internal to this folder; used by the serializer). */
  get lines(): readonly HeaderLine[] {
    return this.#lines;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#lines.some((l) => l.key === key);
  }

  /** Number of lines with this name (any spelling). */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const l of this.#lines) if (l.key === key) n++;
    return n;
  }

  /** Raw value of the first line with this name, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const l of this.#lines) if (l.key === key) return l.value;
    return undefined;
  }

  /** Raw values of every line with this name, in order (one entry per line). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const l of this.#lines) if (l.key === key) out.push(l.value);
    return out;
  }

  /**
   * Raw values split into list elements for list headers ("Allow: INVITE, ACK" → 2 values), one
   * value per line for the others. Empty elements are dropped.
   */
  values(name: string): string[] {
    const lines = this.getAll(name);
    if (!isListHeader(name)) return lines;
    const out: string[] = [];
    for (const v of lines) for (const e of splitList(v)) if (e.length > 0) out.push(e);
    return out;
  }

  /** Adds a line at the end. Throws on an invalid name or a value containing CR/LF (a bug). */
  append(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    this.#lines.push(new HeaderLine(name, headerKey(name), value));
  }

  /** Adds a line before the first line of the same name (Via, Route), or at the top when there is none. */
  prepend(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    const key = headerKey(name);
    const at = this.#lines.findIndex((l) => l.key === key);
    this.#lines.splice(at < 0 ? 0 : at, 0, new HeaderLine(name, key, value));
  }

  /** Replaces every line of this name by one line, at the place of the first; appends if none. */
  set(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    const key = headerKey(name);
    if (!this.#lines.some((l) => l.key === key)) {
      this.#lines.push(new HeaderLine(name, key, value));
      return;
    }
    const line = new HeaderLine(name, key, value);
    const out: HeaderLine[] = [];
    let placed = false;
    for (const l of this.#lines) {
      if (l.key !== key) out.push(l);
      else if (!placed) {
        out.push(line);
        placed = true;
      }
    }
    this.#lines = out;
  }

  /** Removes every line of this name; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.#lines.length;
    this.#lines = this.#lines.filter((l) => l.key !== key);
    return before - this.#lines.length;
  }

  /**
   * The first value of a typed header (for a list header: the first element of the first line), or
   * undefined when the header is absent. Only the first line is parsed.
   */
  first<T>(codec: HeaderCodec<T>): HeaderResult<T | undefined> {
    for (const l of this.#lines) {
      if (l.key !== codec.key) continue;
      const r = l.parse(codec);
      return r.ok ? { ok: true, value: r.value[0] } : r;
    }
    return { ok: true, value: undefined };
  }

  /** Every value of a typed header across all its lines, in order ([] when absent). */
  all<T>(codec: HeaderCodec<T>): HeaderResult<readonly T[]> {
    let found: readonly T[] = NOTHING;
    let merged: T[] | undefined;
    for (const l of this.#lines) {
      if (l.key !== codec.key) continue;
      const r = l.parse(codec);
      if (!r.ok) return r;
      if (found === NOTHING) found = r.value;
      else (merged ??= [...found]).push(...r.value);
    }
    return { ok: true, value: merged ?? found };
  }

  /**
   * Exactly one line of a single-valued header: a missing-header or duplicate-header error
   * otherwise. Used for From, To, Call-ID, CSeq (RFC 3261 §8.1.1, RFC 4475 §3.3.8).
   */
  single<T>(codec: HeaderCodec<T>): HeaderResult<T> {
    let line: HeaderLine | undefined;
    for (const l of this.#lines) {
      if (l.key !== codec.key) continue;
      if (line !== undefined) return { ok: false, error: duplicate(codec.name) };
      line = l;
    }
    if (line === undefined)
      return { ok: false, error: headerError('missing-header', codec.name, `no ${codec.name} header`) };
    const r = line.parse(codec);
    return r.ok ? { ok: true, value: r.value[0] as T } : r;
  }

  /** Appends one line holding the values (several only for list headers, joined by ", "). */
  appendValue<T>(codec: HeaderCodec<T>, ...values: T[]): void {
    this.append(codec.name, formatValues(codec, values));
  }

  /** Prepends one line holding the values before the existing lines of this header (a new top Via). */
  prependValue<T>(codec: HeaderCodec<T>, ...values: T[]): void {
    this.prepend(codec.name, formatValues(codec, values));
  }

  /** Replaces the header by one line holding the values (several only for list headers). */
  setValue<T>(codec: HeaderCodec<T>, ...values: T[]): void {
    this.set(codec.name, formatValues(codec, values));
  }

  /**
   * Replaces the first value of a header (the top Via, say), keeping the rest of its line; used to
   * add received/rport (RFC 3261 §18.2.1, RFC 3581). Throws when the header is absent or its first
   * line does not parse (a bug: check first()).
   */
  replaceFirstValue<T>(codec: HeaderCodec<T>, value: T): void {
    const at = this.#lines.findIndex((l) => l.key === codec.key);
    const line = this.#lines[at];
    if (line === undefined) throw new Error(`replaceFirstValue: no ${codec.name} header`);
    const parsed = line.parse(codec);
    if (!parsed.ok) throw new Error(`replaceFirstValue: ${codec.name} does not parse`);
    let text = codec.format(value);
    if (codec.list && parsed.value.length > 1) {
      const rest = splitList(line.value).slice(1);
      text = [text, ...rest].join(', ');
    }
    this.#lines[at] = new HeaderLine(line.name, line.key, text);
  }

  /** A copy whose lines can be changed independently (typed caches are shared: values are immutable). */
  clone(): SipHeaders {
    return SipHeaders.fromLines([...this.#lines]);
  }
}

function formatValues<T>(codec: HeaderCodec<T>, values: readonly T[]): string {
  if (values.length === 0 && codec.emptyAllowed) return '';
  if (values.length === 0 || (!codec.list && values.length !== 1)) {
    throw new Error(
      `${codec.name}: ${values.length} values given; ${codec.list ? 'at least one' : 'exactly one'} expected`,
    );
  }
  return values.map((v) => codec.format(v)).join(', ');
}

function duplicate(field: string): SipHeaderError {
  return headerError('duplicate-header', field, `more than one ${field} header`);
}

/**
 * A cursor over one unfolded header value, with the separators of RFC 3261 §25.1:
 *
 *   SWS = [LWS]            ; sep whitespace (after unfolding: *WSP)
 *   SEMI = SWS ";" SWS     EQUAL = SWS "=" SWS     SLASH = SWS "/" SWS     COLON = SWS ":" SWS
 *
 * Every method either consumes what it recognises and reports it, or leaves the position alone and
 * reports failure, so callers can try alternatives. Nothing here throws.
 */
import { is, isWsp, TOKEN } from './chars.ts';

/** Characters of a gen-value that is not quoted: token or host (IPv6 references, bare IPv6). */
function isGenValueChar(c: number): boolean {
  return is(c, TOKEN) || c === 58 || c === 91 || c === 93;
}

export class Scanner {
  readonly text: string;
  pos: number;
  /** After nextParam() returned 1: the parameter name in lower case. */
  paramName = '';
  /** After nextParam() returned 1: the value as written (quotes kept), or null when there is none. */
  paramValue: string | null = null;
  /** After nextParam() returned -1: why. */
  error = '';

  constructor(text: string, pos = 0) {
    this.text = text;
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Code unit at the cursor, or -1 at the end. */
  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** Skips SP/HTAB; returns true when it skipped any. */
  sws(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isWsp(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** Consumes `SWS ch SWS` when the next non-blank character is `ch`. */
  separator(ch: number): boolean {
    const start = this.pos;
    this.sws();
    if (this.peek() !== ch) {
      this.pos = start;
      return false;
    }
    this.pos++;
    this.sws();
    return true;
  }

  /** Consumes `ch` exactly (no surrounding white space). */
  char(ch: number): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  /** Consumes a run of characters in every class of `flags`; returns it ('' when none). */
  run(flags: number): string {
    const start = this.pos;
    while (this.pos < this.text.length && is(this.text.charCodeAt(this.pos), flags)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** token (RFC 3261 §25.1); '' when there is none at the cursor. */
  token(): string {
    return this.run(TOKEN);
  }

  /**
   * quoted-string, returned verbatim with its quotes (`"a\"b"`), or undefined (position unchanged)
   * when there is no quoted-string here or it is not terminated. qdtext admits LWS, %x21, %x23-5B,
   * %x5D-7E and UTF8-NONASCII; quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
   */
  quotedString(): string | undefined {
    const s = this.text;
    const start = this.pos;
    if (s.charCodeAt(start) !== 34) return undefined;
    let i = start + 1;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return s.slice(start, i + 1);
      }
      if (c === 92) {
        const next = s.charCodeAt(i + 1);
        if (Number.isNaN(next) || next === 10 || next === 13 || next > 0x7f) return undefined;
        i += 2;
        continue;
      }
      // qdtext: no other control characters than HTAB.
      if ((c < 0x20 && c !== 9) || c === 0x7f) return undefined;
      i++;
    }
    return undefined;
  }

  /**
   * Reads one `SEMI generic-param` (generic-param = token [ EQUAL gen-value ], gen-value = token /
   * host / quoted-string). Returns 1 with paramName/paramValue set, 0 when the next non-blank
   * character is not ";" (position unchanged), -1 with `error` set on a malformed parameter.
   */
  nextParam(): 1 | 0 | -1 {
    if (!this.separator(59)) return 0;
    const name = this.token();
    if (name.length === 0) {
      this.error = 'empty parameter';
      return -1;
    }
    this.paramName = name.toLowerCase();
    this.paramValue = null;
    if (this.separator(61)) {
      if (this.peek() === 34) {
        const q = this.quotedString();
        if (q === undefined) {
          this.error = `unterminated quoted string in parameter ${name}`;
          return -1;
        }
        this.paramValue = q;
      } else {
        const start = this.pos;
        const s = this.text;
        let i = start;
        while (i < s.length && isGenValueChar(s.charCodeAt(i))) i++;
        if (i === start) {
          this.error = `parameter ${name} has "=" but no value`;
          return -1;
        }
        this.pos = i;
        this.paramValue = s.slice(start, i);
      }
    }
    return 1;
  }
}

/**
 * vCard reading (2.1, 3.0 and 4.0) and writing (3.0 and 4.0), for address-book import and export.
 * Specifications: vCard 2.1 (versit Consortium, 18 Sep 1996; "2.1 §x" below), vCard 3.0 (RFC 2426 with
 * RFC 2425), vCard 4.0 (RFC 6350).
 *
 * Reading is strict about structure and lenient about content: a file with a structural error (no END,
 * a line that is not `NAME[;PARAM]:VALUE`, a card without VERSION or name, an unsupported version, a bad
 * quoted-printable escape, an unknown CHARSET) is refused as a whole with the line number of the problem,
 * so that an import is all or nothing; unknown properties (PHOTO, ADR, X-…, …) are skipped.
 *
 * What maps to a contact:
 *   FN                        → name (N is only written, for 3.0 readers that require it); a 2.1 card
 *                               may leave FN out (2.1 §2.2.1), and then its name is built from N
 *   ORG                       → company (organisational units joined with ", ")
 *   NOTE                      → notes
 *   TEL                       → a `tel` address (4.0 `tel:` URIs are unwrapped); a `sip:` TEL → `sip`
 *   IMPP (sip:/sips: only), X-SIP, X-SIP-URI → a `sip` address
 *   TYPE=cell|work|home|fax|pager, or the same as a bare parameter (`TEL;CELL;PREF:`, 2.1 §2.4.1.1)
 *                             → label mobile|work|home|fax|pager; `itemN.X-ABLabel` (the Apple
 *                               convention) → any other label
 *   CATEGORIES containing Favorites/Favourites/Starred, or X-FAVORITE/X-FAVOURITE:TRUE → favourite
 *   UID                       → kept (without `urn:uuid:`) so a re-import updates instead of duplicating
 *
 * What vCard 2.1 writes differently (every card is read by its own VERSION, so a file may mix versions):
 *   - parameters may be bare values (`TEL;HOME;VOICE:`, `;QUOTED-PRINTABLE`) with white space around
 *     them (2.1 §2.9);
 *   - ENCODING=QUOTED-PRINTABLE values (2.1 §2.1.5, RFC 2045 §6.7) are octets in their CHARSET
 *     (2.1 §2.1.6), and a line ending in "=" continues on the next line (a soft line break);
 *   - ENCODING=BASE64 values (photos, logos, sounds, keys; 2.1 §2.1.9) run up to an empty line;
 *   - a folded line keeps the white space it was folded at (2.1 §2.1.3, RFC 822 folding).
 * Text escapes are read the 3.0 way in every version: 2.1 defines only `\;` (2.1 §2.9), but 2.1 writers
 * (Android among them) also write `\n` for a line break, and a backslash before n, comma, semicolon or
 * colon is rare in names and numbers. Values that are not quoted-printable are taken as the text the file
 * was read as (UTF-8); their CHARSET is not consulted.
 */
import { ContactInput } from '../../src-shared/model/contact.ts';
import type { ContactAddress, ContactAddressKind, VCardVersion } from '../../src-shared/model/contact.ts';
import { assertNever } from '../../src-shared/util/emitter.ts';
import { canonicalSipAddress, foldForSearch } from './address-keys.ts';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

/** The contact data a vCard carries. */
export interface VCardContact {
  readonly uid: string | null;
  readonly name: string;
  readonly company: string;
  readonly notes: string;
  readonly favourite: boolean;
  readonly addresses: readonly ContactAddress[];
}

/** A parsed card, already valid as a `ContactInput`, with where it came from. */
export interface ParsedVCard extends VCardContact {
  /** Line of its BEGIN:VCARD. */
  readonly line: number;
}

export interface VCardSyntaxError {
  readonly code: 'vcard-syntax';
  /** 1-based physical line number in the file. */
  readonly line: number;
  readonly message: string;
}

// ───────────────────────────────── reading ─────────────────────────────────

/** The versions a card may declare. */
const READABLE_VERSIONS: ReadonlySet<string> = new Set(['2.1', '3.0', '4.0']);

interface LogicalLine {
  /** The physical line it starts on. */
  readonly line: number;
  readonly text: string;
  /** Where each physical line joined to the first begins in `text`, so that an error names its own line. */
  readonly joins: readonly LineJoin[];
}

interface LineJoin {
  readonly offset: number;
  readonly line: number;
}

/** `[group "."] name *(";" param) ":"`: a content line up to its value. */
interface ContentHead {
  /** Lower-cased group (`item1`), or null. */
  readonly group: string | null;
  /** Upper-cased property name. */
  readonly name: string;
  /** Upper-cased parameter names → values (TYPE values lower-cased). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  /** Where the value begins in the logical line. */
  readonly valueStart: number;
}

interface ContentLine {
  readonly line: number;
  readonly group: string | null;
  readonly name: string;
  readonly params: ReadonlyMap<string, readonly string[]>;
  /** The value as text: as written, or decoded from quoted-printable in its CHARSET; '' when binary. */
  readonly value: string;
  /** A base64 value (a photo, logo, sound or key), which no property read here uses. */
  readonly binary: boolean;
}

/** How a value is written (2.1 §2.1.5 ENCODING; RFC 2426 §2.4.1 ENCODING=b for binary values). */
type ValueEncoding = 'text' | 'quoted-printable' | 'base64';

const ENCODINGS: ReadonlyMap<string, ValueEncoding> = new Map([
  ['7BIT', 'text'],
  ['8BIT', 'text'],
  ['QUOTED-PRINTABLE', 'quoted-printable'],
  ['BASE64', 'base64'],
  ['B', 'base64'],
]);

/**
 * Bare parameters that are not a TYPE. 2.1 §2.9 lets a bare parameter be a known type only, but writers
 * (and the spec's own SOUND example, `SOUND;WAVE;BASE64:`) also write encodings and value locations bare.
 */
const BARE_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ['7BIT', 'ENCODING'],
  ['8BIT', 'ENCODING'],
  ['QUOTED-PRINTABLE', 'ENCODING'],
  ['BASE64', 'ENCODING'],
  ['INLINE', 'VALUE'],
  ['URL', 'VALUE'],
  ['CONTENT-ID', 'VALUE'],
  ['CID', 'VALUE'],
]);

type Step<T> = Result<T, VCardSyntaxError>;

function syntaxError(
  line: number,
  message: string,
): { readonly ok: false; readonly error: VCardSyntaxError } {
  return fail({ code: 'vcard-syntax', line, message });
}

/** Parses every vCard in `text`; any error refuses the whole file. */
export function parseVCards(text: string): Step<ParsedVCard[]> {
  const lines = new LogicalLineReader(text.replace(/^\uFEFF/, '')).read();
  if (!lines.ok) return lines;
  const cards: ParsedVCard[] = [];
  let card: CardBuilder | null = null;
  for (const logical of lines.value) {
    const parsed = parseContentLine(logical);
    if (!parsed.ok) return parsed;
    const content = parsed.value;
    if (content.name === 'BEGIN') {
      if (content.value.trim().toUpperCase() !== 'VCARD') {
        return syntaxError(content.line, `BEGIN:${content.value} is not a vCard`);
      }
      if (card !== null) {
        return syntaxError(
          content.line,
          `BEGIN:VCARD inside the vCard that starts at line ${card.line} (missing END:VCARD)`,
        );
      }
      card = new CardBuilder(content.line);
    } else if (card === null) {
      return syntaxError(content.line, `${content.name} outside BEGIN:VCARD … END:VCARD`);
    } else if (content.name === 'END') {
      if (content.value.trim().toUpperCase() !== 'VCARD') {
        return syntaxError(
          content.line,
          `END:${content.value} does not close the vCard from line ${card.line}`,
        );
      }
      const finished = card.finish();
      if (!finished.ok) return finished;
      cards.push(finished.value);
      card = null;
    } else {
      card.add(content);
    }
  }
  if (card !== null)
    return syntaxError(card.line, `the vCard that starts at line ${card.line} has no END:VCARD`);
  if (cards.length === 0) return syntaxError(1, 'no vCard found (expected BEGIN:VCARD)');
  return ok(cards);
}

/** A soft line break at the end of a quoted-printable line: "=" (and white space a transport added). */
const SOFT_LINE_BREAK = /=[ \t]*$/;
/** A line of a base64 block that is not indented (2.1 writers differ). Base64 has no ":". */
const BASE64_TEXT = /^[A-Za-z0-9+/=]+[ \t]*$/;

/** A logical line being read, and how its value is encoded once its parameters are complete. */
interface OpenLine {
  readonly line: number;
  /**
   * The text of its physical lines as joined (a fold's white space or a soft line break's "=" gone),
   * kept apart so that a value of many lines is read in linear time.
   */
  readonly parts: string[];
  readonly joins: LineJoin[];
  length: number;
  encoding: ValueEncoding | null;
}

/**
 * Splits a file into physical lines (CRLF, LF or CR) and joins them into logical lines; blank lines are
 * dropped. Three ways a value continues on the next physical line:
 *   - folding: the next line starts with a space or tab. RFC 6350 §3.2 (and RFC 2425 §5.8.1 for 3.0)
 *     drop that one character; vCard 2.1 folds the RFC 822 way, at white space that stays (2.1 §2.1.3), so
 *     inside a 2.1 card it is kept;
 *   - a quoted-printable soft line break (RFC 2045 §6.7 rule 5): the line ends in "=", which goes, and
 *     the next line continues the value whatever it starts with;
 *   - a base64 block (2.1 §2.9: "the end of the text is marked with two CRLF sequences"): the lines after
 *     a base64 value that are base64 text or start with white space, up to an empty line or — 3.0 folds
 *     base64 instead — the next property. Their text is not kept: nothing read here uses a binary value.
 */
class LogicalLineReader {
  private readonly physical: readonly string[];
  private readonly lines: LogicalLine[] = [];
  private current: OpenLine | null = null;
  /** Whether the card being read declared VERSION:2.1 (which decides how folded lines join). */
  private inVersion21 = false;

  constructor(text: string) {
    this.physical = text.split(/\r\n|\n|\r/);
  }

  read(): Step<LogicalLine[]> {
    for (let i = 0; i < this.physical.length; i++) {
      const taken = this.take(this.physical[i] ?? '', i + 1);
      if (!taken.ok) return taken;
    }
    this.close();
    return ok(this.lines);
  }

  private take(text: string, line: number): Step<void> {
    const current = this.current;
    const softLineBreak = current?.encoding === 'quoted-printable' ? endingSoftLineBreak(current) : null;
    if (current !== null && softLineBreak !== null) {
      this.cutEnd(current, softLineBreak.length);
      this.join(current, text, line);
    } else if (current?.encoding === 'base64' && text.trim() === '') {
      this.close(); // the empty line that ends a 2.1 base64 block
    } else if (current?.encoding === 'base64' && (/^[ \t]/.test(text) || BASE64_TEXT.test(text))) {
      // more of the binary value: skipped
    } else if (/^[ \t]/.test(text)) {
      return this.unfold(text, line);
    } else {
      this.close();
      if (text !== '')
        this.current = { line, parts: [text], joins: [], length: text.length, encoding: encodingOf(text) };
    }
    return ok(undefined);
  }

  private unfold(text: string, line: number): Step<void> {
    const current = this.current;
    if (current === null) {
      if (text.trim() === '') return ok(undefined);
      return syntaxError(line, 'continuation line (starts with a space) without a line to continue');
    }
    this.join(current, this.inVersion21 ? text : text.slice(1), line);
    // The parameters end at the first ":", which comes once: the parts are joined at most once here.
    if (current.encoding === null && text.includes(':'))
      current.encoding = encodingOf(current.parts.join(''));
    return ok(undefined);
  }

  private join(current: OpenLine, text: string, line: number): void {
    current.joins.push({ offset: current.length, line });
    current.parts.push(text);
    current.length += text.length;
  }

  /** Drops the last `count` characters (all on the last physical line). */
  private cutEnd(current: OpenLine, count: number): void {
    const last = current.parts.length - 1;
    current.parts[last] = (current.parts[last] ?? '').slice(0, -count);
    current.length -= count;
  }

  private close(): void {
    const current = this.current;
    if (current === null) return;
    const text = current.parts.join('');
    this.lines.push({ line: current.line, text, joins: current.joins });
    if (/^BEGIN[ \t]*:/i.test(text)) this.inVersion21 = false;
    else if (/^VERSION[ \t]*:[ \t]*2\.1[ \t]*$/i.test(text)) this.inVersion21 = true;
    this.current = null;
  }
}

/** The soft line break ("=" and white space) that ends a quoted-printable line being read, or null. */
function endingSoftLineBreak(current: OpenLine): string | null {
  return SOFT_LINE_BREAK.exec(current.parts.at(-1) ?? '')?.[0] ?? null;
}

/** How a line's value is encoded, once its parameters are complete (null before its ":"). */
function encodingOf(text: string): ValueEncoding | null {
  if (!text.includes(':')) return null;
  const head = parseHead(0, text);
  // A line that is not a property is refused when it is parsed; until then it is plain text.
  return head.ok ? (valueEncoding(head.value.params) ?? 'text') : 'text';
}

/** The ENCODING parameter; undefined for one that is not a vCard encoding. */
function valueEncoding(params: ReadonlyMap<string, readonly string[]>): ValueEncoding | undefined {
  const declared = params.get('ENCODING')?.[0];
  return declared === undefined ? 'text' : ENCODINGS.get(declared.toUpperCase());
}

/** The physical line that the character at `offset` of a logical line came from. */
function lineAt(logical: LogicalLine, offset: number): number {
  let line = logical.line;
  for (const join of logical.joins) {
    if (join.offset > offset) break;
    line = join.line;
  }
  return line;
}

const NAME = /^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)$/;
const PARAM_NAME = /^[A-Za-z0-9-]+$/;

/** A logical line as a property: its head, and its value decoded from its ENCODING and CHARSET. */
function parseContentLine(logical: LogicalLine): Step<ContentLine> {
  const head = parseHead(logical.line, logical.text);
  if (!head.ok) return head;
  const { group, name, params } = head.value;
  const value = decodeValue(logical, head.value);
  if (!value.ok) return value;
  return ok({
    line: logical.line,
    group,
    name,
    params,
    value: value.value ?? '',
    binary: value.value === null,
  });
}

/**
 * `[group "."] name *(";" param) ":"` (RFC 6350 §3.3). vCard 2.1 allows white space around parameters
 * and bare parameter values (2.1 §2.9): a bare encoding or value location is that parameter, any other
 * bare value a TYPE.
 */
function parseHead(line: number, text: string): Step<ContentHead> {
  let i = 0;
  while (i < text.length && text[i] !== ';' && text[i] !== ':') i++;
  if (i === text.length) return syntaxError(line, `expected NAME:VALUE, found "${clip(text)}"`);
  const name = NAME.exec(text.slice(0, i).trimEnd());
  if (name?.[2] === undefined) return syntaxError(line, `"${clip(text.slice(0, i))}" is not a property name`);
  const params = new Map<string, string[]>();
  while (text[i] === ';') {
    i++;
    const start = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ';' && text[i] !== ':') i++;
    const paramName = text.slice(start, i).trim().toUpperCase();
    if (!PARAM_NAME.test(paramName))
      return syntaxError(line, `bad parameter "${clip(text.slice(start, i))}"`);
    const values: string[] = [];
    if (text[i] === '=') {
      i++;
      for (;;) {
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          if (close < 0) return syntaxError(line, `unterminated quoted value of parameter ${paramName}`);
          values.push(decodeParamValue(text.slice(i + 1, close)));
          i = close + 1;
        } else {
          const valueStart = i;
          while (i < text.length && text[i] !== ',' && text[i] !== ';' && text[i] !== ':') i++;
          values.push(decodeParamValue(text.slice(valueStart, i).trimEnd()));
        }
        if (text[i] !== ',') break;
        i++;
      }
      params.set(paramName, [...(params.get(paramName) ?? []), ...values]);
    } else {
      // A bare parameter (`TEL;CELL:…`, vCard 2.1 style that many exporters still write) is a TYPE,
      // unless it names an encoding or a value location.
      const key = BARE_PARAMETERS.get(paramName) ?? 'TYPE';
      params.set(key, [...(params.get(key) ?? []), paramName]);
    }
  }
  if (text[i] !== ':')
    return syntaxError(line, `expected ":" after the parameters of ${name[2].toUpperCase()}`);
  // RFC 6350's own example writes several types as one quoted value: TYPE="voice,home".
  const types = params.get('TYPE');
  if (types !== undefined)
    params.set(
      'TYPE',
      types.flatMap((t) => t.toLowerCase().split(',')),
    );
  return ok({
    group: name[1]?.toLowerCase() ?? null,
    name: name[2].toUpperCase(),
    params,
    valueStart: i + 1,
  });
}

/** A value as text: as written, or decoded from quoted-printable; null for a base64 value (not read). */
function decodeValue(logical: LogicalLine, head: ContentHead): Step<string | null> {
  const encoding = valueEncoding(head.params);
  switch (encoding) {
    case undefined:
      return syntaxError(
        logical.line,
        `ENCODING=${head.params.get('ENCODING')?.[0] ?? ''} is not a vCard encoding (QUOTED-PRINTABLE, BASE64, B, 8BIT and 7BIT are)`,
      );
    case 'text':
      return ok(logical.text.slice(head.valueStart));
    case 'base64':
      return ok(null);
    case 'quoted-printable':
      return decodeQuotedPrintableValue(logical, head);
    default:
      return assertNever(encoding, 'value encoding');
  }
}

/** A quoted-printable value (2.1 §2.1.5) as text in its CHARSET (2.1 §2.1.6), line breaks as "\n". */
function decodeQuotedPrintableValue(logical: LogicalLine, head: ContentHead): Step<string> {
  // RFC 2045 §6.7 rule 3: "any trailing white space on a line must be deleted, as it will necessarily
  // have been added by intermediate transport agents". Soft line breaks took theirs with the "=";
  // this is the value's last physical line.
  const lastLine = Math.max(head.valueStart, logical.joins.at(-1)?.offset ?? 0);
  const encoded =
    logical.text.slice(head.valueStart, lastLine) + logical.text.slice(lastLine).replace(/[ \t]+$/, '');
  const octets = quotedPrintableOctets(encoded);
  if (!octets.ok)
    return syntaxError(lineAt(logical, head.valueStart + octets.error.index), octets.error.message);
  const text = decodeCharset(octets.value, head.params.get('CHARSET')?.[0]);
  if (!text.ok) return syntaxError(logical.line, text.error);
  return ok(text.value.replace(/\r\n?/g, '\n'));
}

const UTF8 = new TextEncoder();

/**
 * The octets of quoted-printable text (RFC 2045 §6.7): "=" and two hexadecimal digits is that octet
 * (rule 1; lower-case digits are accepted, as the RFC advises a robust decoder to), any other character
 * stands for itself (rule 2). Soft line breaks (rule 5) were joined by the reader, and a final "=" is
 * one with nothing after it. A non-ASCII character, which quoted-printable never holds, stands for its
 * UTF-8 octets (the file was read as UTF-8).
 */
function quotedPrintableOctets(text: string): Result<Uint8Array, { index: number; message: string }> {
  const octets: number[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) ?? 0;
    if (code === 0x3d) {
      if (i === text.length - 1) break;
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        return fail({
          index: i,
          message: `"=${hex}" is not a quoted-printable escape ("=" and two hexadecimal digits)`,
        });
      }
      octets.push(Number.parseInt(hex, 16));
      i += 3;
    } else if (code < 0x80) {
      octets.push(code);
      i++;
    } else {
      const char = String.fromCodePoint(code);
      octets.push(...UTF8.encode(char));
      i += char.length;
    }
  }
  return ok(Uint8Array.from(octets));
}

/**
 * Decoded octets in the CHARSET they declare (2.1 §2.1.6: "Any character set registered with the
 * Internet Assigned Numbers Authority"); TextDecoder knows the labels address books write (UTF-8,
 * ISO-8859-1, WINDOWS-1252, SHIFT_JIS, GB2312, BIG5, …). Without CHARSET, 2.1 means ASCII; octets above
 * 127 then come from a writer that used its platform's code page, so UTF-8 is read as UTF-8 and
 * anything else as Windows-1252 (the code page of Western European Windows, where such files come from).
 */
function decodeCharset(octets: Uint8Array, charset: string | undefined): Result<string, string> {
  if (charset === undefined) {
    return ok(decodeStrictly(octets, 'utf-8') ?? new TextDecoder('windows-1252').decode(octets));
  }
  const label = charset.trim();
  if (!isKnownCharset(label))
    return fail(`CHARSET=${clip(charset)} is not a character set this reader knows`);
  const text = decodeStrictly(octets, label);
  return text === null ? fail(`the value is not valid ${clip(charset)} text`) : ok(text);
}

/** Whether TextDecoder knows the label (its constructor throws a RangeError for one it does not). */
function isKnownCharset(label: string): boolean {
  try {
    return new TextDecoder(label).encoding !== '';
  } catch {
    return false;
  }
}

/** The text, or null when the octets are not valid in that encoding. */
function decodeStrictly(octets: Uint8Array, label: string): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(octets);
  } catch {
    return null;
  }
}

/** RFC 6868 parameter value encoding: ^n newline, ^' double quote, ^^ caret. */
function decodeParamValue(raw: string): string {
  return raw.replace(/\^(\^|n|N|')/g, (_, c: string) => (c === '^' ? '^' : c === "'" ? '"' : '\n'));
}

/** Text value escapes (RFC 6350 §3.4): \\ \n \N \, \; (and \: which some writers emit). */
function unescapeText(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a structured or list value on unescaped `separator`, then unescapes each part. */
function splitValue(raw: string, separator: ';' | ','): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      current += raw.slice(i, i + 2);
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map(unescapeText);
}

const FAVOURITE_CATEGORIES = new Set(['favorites', 'favourites', 'favorite', 'favourite', 'starred']);

/** TYPE values → our label, in order of precedence. */
const TYPE_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['fax', 'fax'],
  ['cell', 'mobile'],
  ['mobile', 'mobile'],
  ['pager', 'pager'],
  ['work', 'work'],
  ['home', 'home'],
];

interface PendingAddress {
  readonly line: number;
  readonly group: string | null;
  readonly kind: ContactAddressKind;
  readonly value: string;
  readonly types: readonly string[];
}

/** Collects one card's properties between BEGIN and END. */
class CardBuilder {
  readonly line: number;
  private version: { value: string; line: number } | null = null;
  private name: { value: string; line: number } | null = null;
  /** N's components (family; given; additional; prefixes; suffixes), the name of a 2.1 card without FN. */
  private structuredName: { parts: string[]; line: number } | null = null;
  private company: { value: string; line: number } | null = null;
  private notes: Array<{ value: string; line: number }> = [];
  private favourite = false;
  private uid: string | null = null;
  private addresses: PendingAddress[] = [];
  private groupLabels = new Map<string, string>();

  constructor(line: number) {
    this.line = line;
  }

  add(content: ContentLine): void {
    const { line, value } = content;
    if (content.binary) return; // PHOTO, LOGO, SOUND, KEY: not part of a softphone contact
    switch (content.name) {
      case 'VERSION':
        this.version = { value: value.trim(), line };
        break;
      case 'FN':
        // vCard 4.0 allows several FN (ALTID/LANGUAGE variants); the first one is the name.
        this.name ??= { value: unescapeText(value).trim(), line };
        break;
      case 'N':
        this.structuredName ??= { parts: splitValue(value, ';').map((part) => part.trim()), line };
        break;
      case 'ORG':
        this.company ??= {
          value: splitValue(value, ';')
            .map((s) => s.trim())
            .filter((s) => s !== '')
            .join(', '),
          line,
        };
        break;
      case 'NOTE':
        this.notes.push({ value: unescapeText(value), line });
        break;
      case 'CATEGORIES':
        if (splitValue(value, ',').some((c) => FAVOURITE_CATEGORIES.has(foldForSearch(c.trim())))) {
          this.favourite = true;
        }
        break;
      case 'X-FAVORITE':
      case 'X-FAVOURITE':
        if (/^(1|true|yes)$/i.test(value.trim())) this.favourite = true;
        break;
      case 'UID': {
        const uid = unescapeText(value)
          .trim()
          .replace(/^urn:uuid:/i, '');
        this.uid = uid === '' ? null : uid;
        break;
      }
      case 'TEL':
        this.addTel(content);
        break;
      case 'IMPP': {
        const uri = unescapeText(value).trim();
        if (/^sips?:/i.test(uri)) this.addAddress(content, 'sip', uri);
        break;
      }
      case 'X-SIP':
      case 'X-SIP-URI': {
        const uri = unescapeText(value).trim();
        if (uri !== '') this.addAddress(content, 'sip', canonicalSipAddress(uri));
        break;
      }
      case 'X-ABLABEL':
        if (content.group !== null) this.groupLabels.set(content.group, appleLabel(unescapeText(value)));
        break;
      default:
        break; // PHOTO, ADR, EMAIL, X-…, … are not part of a softphone contact
    }
  }

  private addTel(content: ContentLine): void {
    const raw = unescapeText(content.value).trim();
    if (raw === '') return;
    if (/^tel:/i.test(raw)) {
      // RFC 3966: the number is the part before any ";parameter".
      const number = raw.slice(4).split(';', 1)[0] ?? '';
      let decoded = number;
      try {
        decoded = decodeURIComponent(number);
      } catch {
        // keep the raw text; validation decides whether it is a number
      }
      this.addAddress(content, 'tel', decoded);
    } else if (/^sips?:/i.test(raw)) {
      this.addAddress(content, 'sip', raw);
    } else {
      this.addAddress(content, 'tel', raw);
    }
  }

  private addAddress(content: ContentLine, kind: ContactAddressKind, value: string): void {
    this.addresses.push({
      line: content.line,
      group: content.group,
      kind,
      value,
      types: content.params.get('TYPE') ?? [],
    });
  }

  finish(): Step<ParsedVCard> {
    if (this.version === null)
      return syntaxError(this.line, `the vCard that starts at line ${this.line} has no VERSION`);
    if (!READABLE_VERSIONS.has(this.version.value)) {
      return syntaxError(
        this.version.line,
        `vCard version ${this.version.value} is not supported (2.1, 3.0 and 4.0 are)`,
      );
    }
    const name = this.version.value === '2.1' ? this.nameOf21() : this.name;
    if (name === null) {
      const wanted = this.version.value === '2.1' ? 'FN or N' : 'FN';
      return syntaxError(this.line, `the vCard that starts at line ${this.line} has no ${wanted}`);
    }
    const addresses = this.addresses.map((a) => ({
      kind: a.kind,
      value: a.value,
      label: (a.group === null ? undefined : this.groupLabels.get(a.group)) ?? labelOfTypes(a.types),
    }));
    const candidate = {
      name: name.value,
      company: this.company?.value ?? '',
      notes: this.notes.map((n) => n.value).join('\n'),
      favourite: this.favourite,
      addresses,
    };
    const checked = ContactInput.safeParse(candidate);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const path = issue?.path ?? [];
      return syntaxError(
        this.lineOf(path, name.line),
        `${path.join('.') || 'contact'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return ok({ ...checked.data, uid: this.uid, line: this.line });
  }

  /**
   * A 2.1 card's name: FN, which 2.1 makes optional (2.1 §2.2.1 "Support for this property is optional"),
   * else built from N, which 2.1 makes mandatory (2.1 §2.2.2).
   */
  private nameOf21(): { value: string; line: number } | null {
    if ((this.name !== null && this.name.value !== '') || this.structuredName === null) return this.name;
    return { value: nameFromParts(this.structuredName.parts), line: this.structuredName.line };
  }

  /** The line of the property a validation issue points at. */
  private lineOf(path: readonly PropertyKey[], nameLine: number): number {
    switch (path[0]) {
      case 'name':
        return nameLine;
      case 'company':
        return this.company?.line ?? this.line;
      case 'notes':
        return this.notes[0]?.line ?? this.line;
      case 'addresses': {
        const index = typeof path[1] === 'number' ? path[1] : this.addresses.length - 1;
        return this.addresses[index]?.line ?? this.line;
      }
      default:
        return this.line;
    }
  }
}

/** Scripts whose personal names are written family name first, without spaces. */
const FAMILY_NAME_FIRST = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A display name from N's components — family; given; additional; prefixes; suffixes (2.1 §2.2.2,
 * RFC 2426 §3.1.2): "Mr. John Quinlan Public Esq."; a Chinese, Japanese or Korean name is written family
 * name first without spaces ("张;伟" → "张伟").
 */
function nameFromParts(parts: readonly string[]): string {
  const [family = '', given = '', additional = '', prefix = '', suffix = ''] = parts;
  if (FAMILY_NAME_FIRST.test(family + given)) return family + given + additional;
  return [prefix, given, additional, family, suffix].filter((part) => part !== '').join(' ');
}

function labelOfTypes(types: readonly string[]): string {
  for (const [type, label] of TYPE_LABELS) if (types.includes(type)) return label;
  return '';
}

/** Apple writes built-in labels as `_$!<Mobile>!$_`. */
function appleLabel(raw: string): string {
  const builtIn = /^_\$!<(.*)>!\$_$/.exec(raw.trim());
  return (builtIn?.[1] ?? raw).trim();
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// ───────────────────────────────── writing ─────────────────────────────────

/** Our label → TYPE value. Other non-empty labels are written as `itemN.X-ABLabel`. */
const LABEL_TYPES: ReadonlyMap<string, string> = new Map([
  ['mobile', 'cell'],
  ['work', 'work'],
  ['home', 'home'],
  ['fax', 'fax'],
  ['pager', 'pager'],
]);

/** Characters that a 4.0 `tel:` URI may carry as is (RFC 3966 digits and visual separators). */
const TEL_URI_SAFE = /^\+?[0-9*#()\-.]+$/;

/** Writes the contacts as one vCard stream, CRLF line endings, lines folded at 75 octets. */
export function serializeVCards(contacts: Iterable<VCardContact>, version: VCardVersion): string {
  let out = '';
  for (const contact of contacts) out += serializeVCard(contact, version);
  return out;
}

export function serializeVCard(contact: VCardContact, version: VCardVersion): string {
  const lines: string[] = ['BEGIN:VCARD', `VERSION:${version}`];
  if (contact.uid !== null) lines.push(`UID:${escapeText(contact.uid)}`);
  lines.push(`FN:${escapeText(contact.name)}`);
  const { family, given } = splitName(contact.name);
  lines.push(`N:${escapeText(family)};${escapeText(given)};;;`);
  if (contact.company !== '') lines.push(`ORG:${escapeText(contact.company)}`);
  if (contact.notes !== '') lines.push(`NOTE:${escapeText(contact.notes)}`);
  if (contact.favourite) lines.push('CATEGORIES:Favorites');
  let item = 0;
  for (const address of contact.addresses) {
    const type = LABEL_TYPES.get(address.label);
    const custom = type === undefined && address.label !== '';
    const group = custom ? `item${++item}.` : '';
    const typeParam = type === undefined ? '' : `;TYPE=${type}`;
    if (address.kind === 'sip') {
      lines.push(`${group}IMPP${typeParam}:${address.value}`);
    } else if (version === '3.0') {
      lines.push(`${group}TEL${typeParam}:${escapeText(address.value)}`);
    } else if (TEL_URI_SAFE.test(address.value)) {
      lines.push(`${group}TEL;VALUE=uri${typeParam}:tel:${address.value}`);
    } else {
      lines.push(`${group}TEL;VALUE=text${typeParam}:${escapeText(address.value)}`);
    }
    if (custom) lines.push(`${group}X-ABLabel:${escapeText(address.label)}`);
  }
  lines.push('END:VCARD');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

function escapeText(text: string): string {
  return text.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

/** "Ada King Lovelace" → family "Lovelace", given "Ada King" (N is informative; FN is the name). */
function splitName(name: string): { family: string; given: string } {
  const cut = name.lastIndexOf(' ');
  return cut < 0 ? { family: '', given: name } : { family: name.slice(cut + 1), given: name.slice(0, cut) };
}

const FOLD_OCTETS = 75;

/** Folds a line so no physical line exceeds 75 octets, never splitting a UTF-8 character (RFC 6350 §3.2). */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= FOLD_OCTETS) return line;
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > FOLD_OCTETS) {
      // The continuation starts with the folding space, which counts toward its 75 octets.
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

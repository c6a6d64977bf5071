/**
 * vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) reading and writing, for address-book import and export.
 *
 * Reading is strict about structure and lenient about content: a file with a structural error (no END,
 * a line that is not `NAME[;PARAM]:VALUE`, a card without VERSION or FN, an unsupported version) is
 * refused as a whole with the line number of the problem, so that an import is all or nothing; unknown
 * properties (PHOTO, ADR, …) are skipped.
 *
 * What maps to a contact:
 *   FN                        → name (N is only written, for 3.0 readers that require it)
 *   ORG                       → company (organisational units joined with ", ")
 *   NOTE                      → notes
 *   TEL                       → a `tel` address (4.0 `tel:` URIs are unwrapped); a `sip:` TEL → `sip`
 *   IMPP (sip:/sips: only), X-SIP, X-SIP-URI → a `sip` address
 *   TYPE=cell|work|home|fax|pager → label mobile|work|home|fax|pager; `itemN.X-ABLabel` (the Apple
 *                               convention) → any other label
 *   CATEGORIES containing Favorites/Favourites/Starred, or X-FAVORITE/X-FAVOURITE:TRUE → favourite
 *   UID                       → kept (without `urn:uuid:`) so a re-import updates instead of duplicating
 */
import { ContactInput } from '../../src-shared/model/contact.ts';
import type { ContactAddress, ContactAddressKind, VCardVersion } from '../../src-shared/model/contact.ts';
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

interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

interface ContentLine {
  readonly line: number;
  /** Lower-cased group (`item1`), or null. */
  readonly group: string | null;
  /** Upper-cased property name. */
  readonly name: string;
  /** Upper-cased parameter names → values (TYPE values lower-cased). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  readonly value: string;
}

type Step<T> = Result<T, VCardSyntaxError>;

function syntaxError(
  line: number,
  message: string,
): { readonly ok: false; readonly error: VCardSyntaxError } {
  return fail({ code: 'vcard-syntax', line, message });
}

/** Parses every vCard in `text`; any error refuses the whole file. */
export function parseVCards(text: string): Step<ParsedVCard[]> {
  const lines = unfold(text.replace(/^\uFEFF/, ''));
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
      const added = card.add(content);
      if (!added.ok) return added;
    }
  }
  if (card !== null)
    return syntaxError(card.line, `the vCard that starts at line ${card.line} has no END:VCARD`);
  if (cards.length === 0) return syntaxError(1, 'no vCard found (expected BEGIN:VCARD)');
  return ok(cards);
}

/**
 * Splits into physical lines (CRLF, LF or CR) and joins folded ones: a line that starts with a space or
 * tab continues the previous line, minus that one character (RFC 6350 §3.2). Blank lines are dropped.
 */
function unfold(text: string): Step<LogicalLine[]> {
  const physical = text.split(/\r\n|\n|\r/);
  const logical: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < physical.length; i++) {
    const line = physical[i] ?? '';
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const previous = logical.at(-1);
      if (previous === undefined || physical[i - 1] === '') {
        if (line.trim() === '') continue;
        return syntaxError(i + 1, 'continuation line (starts with a space) without a line to continue');
      }
      previous.text += line.slice(1);
    } else if (line !== '') {
      logical.push({ line: i + 1, text: line });
    }
  }
  return ok(logical);
}

const NAME = /^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)$/;
const PARAM_NAME = /^[A-Za-z0-9-]+$/;

/** `[group "."] name *(";" param) ":" value` (RFC 6350 §3.3). */
function parseContentLine({ line, text }: LogicalLine): Step<ContentLine> {
  let i = 0;
  while (i < text.length && text[i] !== ';' && text[i] !== ':') i++;
  if (i === text.length) return syntaxError(line, `expected NAME:VALUE, found "${clip(text)}"`);
  const name = NAME.exec(text.slice(0, i));
  if (name?.[2] === undefined) return syntaxError(line, `"${clip(text.slice(0, i))}" is not a property name`);
  const params = new Map<string, string[]>();
  while (text[i] === ';') {
    i++;
    const start = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ';' && text[i] !== ':') i++;
    const paramName = text.slice(start, i).toUpperCase();
    if (!PARAM_NAME.test(paramName))
      return syntaxError(line, `bad parameter "${clip(text.slice(start, i))}"`);
    const values: string[] = [];
    if (text[i] === '=') {
      i++;
      for (;;) {
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          if (close < 0) return syntaxError(line, `unterminated quoted value of parameter ${paramName}`);
          values.push(decodeParamValue(text.slice(i + 1, close)));
          i = close + 1;
        } else {
          const valueStart = i;
          while (i < text.length && text[i] !== ',' && text[i] !== ';' && text[i] !== ':') i++;
          values.push(decodeParamValue(text.slice(valueStart, i)));
        }
        if (text[i] !== ',') break;
        i++;
      }
      const key = paramName;
      params.set(key, [...(params.get(key) ?? []), ...values]);
    } else {
      // A bare parameter (`TEL;CELL:…`, vCard 2.1 style that many exporters still write) is a TYPE.
      params.set('TYPE', [...(params.get('TYPE') ?? []), paramName]);
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
    line,
    group: name[1]?.toLowerCase() ?? null,
    name: name[2].toUpperCase(),
    params,
    value: text.slice(i + 1),
  });
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
  private company: { value: string; line: number } | null = null;
  private notes: Array<{ value: string; line: number }> = [];
  private favourite = false;
  private uid: string | null = null;
  private addresses: PendingAddress[] = [];
  private groupLabels = new Map<string, string>();

  constructor(line: number) {
    this.line = line;
  }

  add(content: ContentLine): Step<void> {
    const { line, value } = content;
    switch (content.name) {
      case 'VERSION':
        this.version = { value: value.trim(), line };
        break;
      case 'FN':
        // vCard 4.0 allows several FN (ALTID/LANGUAGE variants); the first one is the name.
        this.name ??= { value: unescapeText(value).trim(), line };
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
        break; // PHOTO, ADR, EMAIL, N, … are not part of a softphone contact
    }
    return ok(undefined);
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
    if (this.version.value !== '3.0' && this.version.value !== '4.0') {
      return syntaxError(
        this.version.line,
        `vCard version ${this.version.value} is not supported (3.0 and 4.0 are)`,
      );
    }
    if (this.name === null)
      return syntaxError(this.line, `the vCard that starts at line ${this.line} has no FN`);
    const addresses = this.addresses.map((a) => ({
      kind: a.kind,
      value: a.value,
      label: (a.group === null ? undefined : this.groupLabels.get(a.group)) ?? labelOfTypes(a.types),
    }));
    const candidate = {
      name: this.name.value,
      company: this.company?.value ?? '',
      notes: this.notes.map((n) => n.value).join('\n'),
      favourite: this.favourite,
      addresses,
    };
    const checked = ContactInput.safeParse(candidate);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const path = issue?.path ?? [];
      return syntaxError(this.lineOf(path), `${path.join('.') || 'contact'}: ${issue?.message ?? 'invalid'}`);
    }
    return ok({ ...checked.data, uid: this.uid, line: this.line });
  }

  /** The line of the property a validation issue points at. */
  private lineOf(path: readonly PropertyKey[]): number {
    switch (path[0]) {
      case 'name':
        return this.name?.line ?? this.line;
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

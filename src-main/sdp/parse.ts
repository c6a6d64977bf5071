/**
 * SDP parser (RFC 8866, accepting RFC 4566 descriptions), strict about structure, tolerant about
 * presentation.
 *
 * Errors (the description is unusable, `ok: false`): a line that is not `<letter>=<value>`, an unknown
 * type letter, a malformed v/o/c/b/t/m line, a repeated single line, a session- only line inside a
 * media description, a missing v/o/s/t line, or a media stream with no connection address.
 * Warnings (the description is used, the problem reported): a malformed attribute the phone reads
 * (rtpmap, candidate, rtcp, …), a flag attribute with a value, lines out of RFC 8866 order, several
 * direction attributes in one section. Malformed attributes stay in the description as they were; the
 * typed readers in `query.ts` skip them.
 * Tolerated silently: LF-only line endings, trailing spaces/tabs, blank lines at the end, runs of spaces
 * between fields.
 * Every problem names the 1-based line number, the line's text and what was wrong.
 */
import { checkKnownAttribute, isDirection, isToken } from './attributes.ts';
import type {
  Attribute,
  Bandwidth,
  Connection,
  MediaDescription,
  Origin,
  SdpProblem,
  SessionDescription,
} from './model.ts';

export type SdpParseResult =
  | { readonly ok: true; readonly sdp: SessionDescription; readonly warnings: readonly SdpProblem[] }
  | { readonly ok: false; readonly error: SdpProblem };

/** Thrown inside the parser only; turned into the `ok: false` value at the boundary. */
class LineError extends Error {
  readonly problem: SdpProblem;
  constructor(problem: SdpProblem) {
    super(problem.reason);
    this.problem = problem;
  }
}

/** RFC 8866 §5 canonical order; ranks only need to be non-decreasing within a section. */
const SESSION_RANK: Record<string, number> = {
  v: 0,
  o: 1,
  s: 2,
  i: 3,
  u: 4,
  e: 5,
  p: 6,
  c: 7,
  b: 8,
  t: 9,
  r: 9,
  z: 10,
  k: 11,
  a: 12,
};
const MEDIA_RANK: Record<string, number> = { m: 0, i: 1, c: 2, b: 3, k: 4, a: 5 };
const SESSION_SINGLE = new Set(['v', 'o', 's', 'i', 'u', 'c', 'z', 'k']);
const MEDIA_FORBIDDEN = new Set(['v', 'o', 's', 'u', 'e', 'p', 't', 'r', 'z']);

interface MutableMedia {
  type: string;
  port: number;
  portCount: number | undefined;
  protocol: string;
  formats: string[];
  information: string | undefined;
  connections: Connection[];
  bandwidths: Bandwidth[];
  encryptionKey: string | undefined;
  attributes: Attribute[];
  mLine: number;
  lastRank: number;
  seen: Set<string>;
}

interface MutableTiming {
  start: number;
  stop: number;
  repeats: string[];
}

export function parseSdp(text: string): SdpParseResult {
  try {
    return new SdpParser(text).run();
  } catch (e) {
    if (e instanceof LineError) return { ok: false, error: e.problem };
    throw e;
  }
}

class SdpParser {
  private readonly lines: string[];
  private readonly warnings: SdpProblem[] = [];
  private lineNo = 0;
  private content = '';

  // session-level accumulation
  private origin: Origin | undefined;
  private sessionName: string | undefined;
  private information: string | undefined;
  private uri: string | undefined;
  private readonly emails: string[] = [];
  private readonly phones: string[] = [];
  private connection: Connection | undefined;
  private readonly bandwidths: Bandwidth[] = [];
  private readonly timings: MutableTiming[] = [];
  private timeZones: string | undefined;
  private encryptionKey: string | undefined;
  private readonly attributes: Attribute[] = [];
  private readonly media: MutableMedia[] = [];
  private readonly sessionSeen = new Set<string>();
  private sessionLastRank = -1;

  constructor(text: string) {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
    this.lines = lines;
  }

  run(): SdpParseResult {
    if (this.lines.length === 0)
      throw new LineError({ line: 1, content: '', reason: 'empty session description' });
    for (let i = 0; i < this.lines.length; i++) {
      this.lineNo = i + 1;
      const raw = this.lines[i] as string;
      this.content = raw;
      if (raw.includes('\r')) this.error('carriage return inside a line');
      const line = raw.replace(/[ \t]+$/, '');
      if (line === '') this.error('blank line inside the session description');
      const m = /^([A-Za-z])=(.*)$/s.exec(line);
      if (!m || m[1] === undefined || m[2] === undefined) this.error('expected "<type>=<value>"');
      const type = m[1];
      const value = m[2];
      if (i === 0 && type !== 'v') this.error('a session description must start with "v=0"');
      if (!/^[a-z]$/.test(type)) this.error(`type letter "${type}" must be lower case`);
      if (this.media.length === 0) this.sessionLine(type, value);
      else this.mediaLine(type, value, this.media[this.media.length - 1] as MutableMedia);
    }
    return { ok: true, sdp: this.finish(), warnings: this.warnings };
  }

  // ───────────────────────────── sections ─────────────────────────────

  private sessionLine(type: string, value: string): void {
    if (type === 'm') {
      this.startMedia(value);
      return;
    }
    const rank = SESSION_RANK[type];
    if (rank === undefined) {
      // RFC 8866 §5: "An SDP parser MUST completely ignore any session description that contains a
      // type letter that it does not understand."
      this.error(`unknown type letter "${type}"`);
    }
    if (rank < this.sessionLastRank) {
      this.warn(`"${type}=" is out of RFC 8866 order in the session section (written back in order)`);
    }
    this.sessionLastRank = Math.max(this.sessionLastRank, rank);
    if (SESSION_SINGLE.has(type)) {
      if (this.sessionSeen.has(type)) this.error(`"${type}=" may appear only once at session level`);
      this.sessionSeen.add(type);
    }
    switch (type) {
      case 'v':
        if (value !== '0') this.error(`unsupported SDP version "${value}" (only 0 exists)`);
        break;
      case 'o':
        this.origin = this.readOrigin(value);
        break;
      case 's':
        this.sessionName = value.trim() === '' ? '' : value;
        break;
      case 'i':
        this.information = value;
        break;
      case 'u':
        this.uri = value;
        break;
      case 'e':
        this.emails.push(value);
        break;
      case 'p':
        this.phones.push(value);
        break;
      case 'c':
        this.connection = this.readConnection(value);
        break;
      case 'b':
        this.bandwidths.push(this.readBandwidth(value));
        break;
      case 't':
        this.timings.push(this.readTiming(value));
        break;
      case 'r': {
        const last = this.timings[this.timings.length - 1];
        if (last === undefined) this.error('"r=" must follow a "t=" line');
        last.repeats.push(value);
        break;
      }
      case 'z':
        this.timeZones = value;
        break;
      case 'k':
        this.encryptionKey = value;
        break;
      case 'a':
        this.addAttribute(this.attributes, value);
        break;
    }
  }

  private startMedia(value: string): void {
    const f = value.trim().split(/[ \t]+/);
    if (f.length < 3) this.error('expected "m=<media> <port>[/<count>] <proto> <fmt> ..."');
    const [type, portText, protocol] = f as [string, string, string];
    const formats = f.slice(3);
    if (!isToken(type)) this.error(`media type "${type}" is not a token`);
    const pm = /^([0-9]{1,5})(?:\/([0-9]{1,5}))?$/.exec(portText);
    const port = pm ? Number(pm[1]) : NaN;
    if (!pm || port > 65535) this.error(`port "${portText}" is not 0-65535`);
    const portCount = pm[2] === undefined ? undefined : Number(pm[2]);
    if (portCount === 0) this.error('number of ports must be positive');
    if (!/^[A-Za-z0-9_./-]+$/.test(protocol))
      this.error(`protocol "${protocol}" is not a transport protocol`);
    if (formats.length === 0) {
      if (port !== 0) this.error('a media description needs at least one format');
      this.warn('rejected media description lists no format (RFC 8866 requires one)');
    }
    for (const fmt of formats) {
      if (!isToken(fmt)) this.error(`format "${fmt}" is not a token`);
      if (/RTP\//.test(protocol) && !(/^[0-9]{1,3}$/.test(fmt) && Number(fmt) <= 127)) {
        this.warn(`format "${fmt}" is not an RTP payload type 0-127`);
      }
    }
    this.media.push({
      type,
      port,
      portCount,
      protocol,
      formats,
      information: undefined,
      connections: [],
      bandwidths: [],
      encryptionKey: undefined,
      attributes: [],
      mLine: this.lineNo,
      lastRank: 0,
      seen: new Set(),
    });
  }

  private mediaLine(type: string, value: string, media: MutableMedia): void {
    if (type === 'm') {
      this.startMedia(value);
      return;
    }
    if (MEDIA_FORBIDDEN.has(type))
      this.error(`"${type}=" is a session-level line and may not appear inside a media description`);
    const rank = MEDIA_RANK[type];
    if (rank === undefined) this.error(`unknown type letter "${type}"`);
    if (rank < media.lastRank)
      this.warn(`"${type}=" is out of RFC 8866 order in the media section (written back in order)`);
    media.lastRank = Math.max(media.lastRank, rank);
    if (type === 'i' || type === 'k') {
      if (media.seen.has(type)) this.error(`"${type}=" may appear only once per media description`);
      media.seen.add(type);
    }
    switch (type) {
      case 'i':
        media.information = value;
        break;
      case 'c':
        media.connections.push(this.readConnection(value));
        break;
      case 'b':
        media.bandwidths.push(this.readBandwidth(value));
        break;
      case 'k':
        media.encryptionKey = value;
        break;
      case 'a':
        this.addAttribute(media.attributes, value);
        break;
    }
  }

  private finish(): SessionDescription {
    const last = this.lines.length;
    const at = (reason: string): never => {
      this.lineNo = last;
      this.content = this.lines[last - 1] ?? '';
      return this.error(reason);
    };
    if (this.origin === undefined) return at('the session description has no "o=" line');
    if (this.sessionName === undefined) return at('the session description has no "s=" line');
    if (this.timings.length === 0) return at('the session description has no "t=" line');

    for (const m of this.media) {
      // RFC 8866 §5.7: "a session description MUST contain either at least one "c=" line in each media
      // description or a single "c=" line at the session level." Rejected streams (port 0) are let off.
      if (m.connections.length === 0 && this.connection === undefined && m.port !== 0) {
        this.lineNo = m.mLine;
        this.content = this.lines[m.mLine - 1] ?? '';
        this.error('media description has no "c=" line and there is none at session level');
      }
    }

    return {
      version: 0,
      origin: this.origin,
      sessionName: this.sessionName,
      information: this.information,
      uri: this.uri,
      emails: this.emails,
      phones: this.phones,
      connection: this.connection,
      bandwidths: this.bandwidths,
      timings: this.timings,
      timeZones: this.timeZones,
      encryptionKey: this.encryptionKey,
      attributes: this.attributes,
      media: this.media.map((m): MediaDescription => ({
        type: m.type,
        port: m.port,
        portCount: m.portCount,
        protocol: m.protocol,
        formats: m.formats,
        information: m.information,
        connections: m.connections,
        bandwidths: m.bandwidths,
        encryptionKey: m.encryptionKey,
        attributes: m.attributes,
      })),
    };
  }

  private addAttribute(list: Attribute[], value: string): void {
    const attribute = this.readAttribute(value);
    if (isDirection(attribute.name) && list.some((a) => isDirection(a.name))) {
      this.warn(`a second direction attribute in this section; the last one ("${attribute.name}") counts`);
    }
    list.push(attribute);
  }

  // ───────────────────────────── line readers ─────────────────────────────

  private readOrigin(value: string): Origin {
    const f = value.trim().split(/[ \t]+/);
    if (f.length !== 6)
      this.error('expected "o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>"');
    const [username, sessionId, sessionVersion, netType, addressType, address] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^[0-9]+$/.test(sessionId)) this.error(`session id "${sessionId}" is not a number`);
    if (!/^[0-9]+$/.test(sessionVersion)) this.error(`session version "${sessionVersion}" is not a number`);
    if (!isToken(netType)) this.error(`network type "${netType}" is not a token`);
    if (!isToken(addressType)) this.error(`address type "${addressType}" is not a token`);
    return { username, sessionId, sessionVersion, netType, addressType, address };
  }

  private readConnection(value: string): Connection {
    const f = value.trim().split(/[ \t]+/);
    if (f.length !== 3) this.error('expected "c=<nettype> <addrtype> <connection-address>"');
    const [netType, addressType, full] = f as [string, string, string];
    if (!isToken(netType)) this.error(`network type "${netType}" is not a token`);
    if (!isToken(addressType)) this.error(`address type "${addressType}" is not a token`);
    const parts = full.split('/');
    const address = parts[0] as string;
    if (!/^[0-9A-Za-z.:\-_]+$/.test(address)) this.error(`connection address "${address}" is not an address`);
    if (addressType === 'IP4' && /^[0-9.]+$/.test(address)) {
      const octets = address.split('.');
      if (octets.length !== 4 || octets.some((o) => o === '' || Number(o) > 255)) {
        this.error(`"${address}" is not a valid IPv4 address`);
      }
    }
    if (addressType === 'IP6' && !address.includes(':')) {
      // FQDNs are allowed for IP6 as well; only a numeric-looking value without colons is wrong.
      if (/^[0-9.]+$/.test(address)) this.error(`"${address}" is not an IPv6 address`);
    }
    const suffix = parts.slice(1);
    const nums = suffix.map((s) => (/^[0-9]{1,10}$/.test(s) ? Number(s) : NaN));
    if (nums.some((n) => Number.isNaN(n)))
      this.error(`multicast suffix "/${suffix.join('/')}" is not numeric`);
    if (addressType === 'IP6') {
      if (nums.length > 1) this.error('an IPv6 connection address takes at most "/<count>"');
      return { netType, addressType, address, count: nums[0] };
    }
    if (nums.length > 2) this.error('an IPv4 connection address takes at most "/<ttl>/<count>"');
    return { netType, addressType, address, ttl: nums[0], count: nums[1] };
  }

  private readBandwidth(value: string): Bandwidth {
    const m = /^([^:\s]+):([0-9]{1,10})$/.exec(value.trim());
    if (!m || m[1] === undefined || m[2] === undefined) this.error('expected "b=<bwtype>:<bandwidth>"');
    if (!isToken(m[1])) this.error(`bandwidth type "${m[1]}" is not a token`);
    return { type: m[1], value: Number(m[2]) };
  }

  private readTiming(value: string): MutableTiming {
    const m = /^([0-9]{1,20})[ \t]+([0-9]{1,20})$/.exec(value.trim());
    if (!m || m[1] === undefined || m[2] === undefined) this.error('expected "t=<start-time> <stop-time>"');
    return { start: Number(m[1]), stop: Number(m[2]), repeats: [] };
  }

  private readAttribute(value: string): Attribute {
    const colon = value.indexOf(':');
    const name = colon < 0 ? value : value.slice(0, colon);
    const attrValue = colon < 0 ? undefined : value.slice(colon + 1);
    if (!isToken(name)) this.error(`attribute name "${name}" is not a token`);
    const problem = checkKnownAttribute(name, attrValue);
    if (problem !== undefined) this.warn(problem);
    return attrValue === undefined ? { name } : { name, value: attrValue };
  }

  // ───────────────────────────── problems ─────────────────────────────

  private error(reason: string): never {
    throw new LineError({ line: this.lineNo, content: this.content, reason });
  }

  private warn(reason: string): void {
    this.warnings.push({ line: this.lineNo, content: this.content, reason });
  }
}

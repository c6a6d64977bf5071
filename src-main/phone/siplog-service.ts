/**
 * The SIP log domain of the phone API: every SIP message the accounts' transports send or receive (the
 * parser's rejects included, keepalives not), redacted as it is captured (./siplog-redaction.ts), kept in a
 * bounded ring in memory only — nothing of it is ever written to disk — and streamed to the renderer in
 * batches (`siplog.messages`, at most one every SIPLOG_BATCH_MS) so that a REGISTER storm cannot flood
 * the IPC channel. Capture can be turned off; it is on by default.
 *
 * Which account a message belongs to: a Call-ID seen before keeps its account; otherwise our side's URI
 * (From of what we send and of the responses we get, To of what we receive and of our responses) or, for
 * a request to us, the user of its Request-URI is compared with the accounts' addresses of record.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import {
  SIPLOG_BATCH_MS,
  SIPLOG_MAX_BYTES,
  SIPLOG_MAX_MESSAGES,
  matchesSipLogFilter,
  summarizeSipLogCalls,
} from '../../src-shared/model/siplog.ts';
import type {
  SipLogEntry,
  SipLogExport,
  SipLogExportRequest,
  SipLogFilter,
  SipLogQuery,
  SipLogStatus,
} from '../../src-shared/model/siplog.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { formatAddress } from '../platform/index.ts';
import type { Clock, Timer } from '../platform/index.ts';
import { formatUri, parseMessage } from '../sip/syntax/index.ts';
import type { SipMessage, Uri } from '../sip/syntax/index.ts';
import type { SipTransportLayer, SipWireMessage } from '../sip/transport/index.ts';
import type { CommandHandlers } from './router.ts';
import { redactSipMessage, redactUriPasswords } from './siplog-redaction.ts';

type SiplogCommand =
  'siplog.recent' | 'siplog.calls' | 'siplog.export' | 'siplog.clear' | 'siplog.setEnabled' | 'siplog.status';

/** Entries one event may carry; older ones of a larger burst are counted in `skipped`. */
export const SIPLOG_MAX_BATCH = 1000;
/** What an entry costs the ring besides its text (the byte bound is this accounting, not a heap measure). */
const ENTRY_OVERHEAD = 256;

export interface SiplogServiceOptions {
  clock: Clock;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  /** Ring bounds (defaults SIPLOG_MAX_MESSAGES and SIPLOG_MAX_BYTES). */
  maxMessages?: number;
  maxBytes?: number;
}

/** An account as the log matches messages to it. */
export interface SiplogAccount {
  readonly id: string;
  readonly aor: string;
}

interface StoredEntry {
  readonly entry: SipLogEntry;
  readonly bytes: number;
}

interface ParsedAor {
  readonly id: string;
  readonly user: string;
  readonly host: string;
}

export class SiplogService {
  readonly handlers: Pick<CommandHandlers, SiplogCommand>;
  readonly #clock: Clock;
  readonly #emit: SiplogServiceOptions['emit'];
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #ring: StoredEntry[] = [];
  #ringBytes = 0;
  #seq = 0;
  #captured = 0;
  #evicted = 0;
  #enabled = true;
  #closed = false;
  #pending: SipLogEntry[] = [];
  #skipped = 0;
  #batchTimer: Timer | undefined;
  readonly #taps = new Set<Disposable>();
  #accounts: readonly ParsedAor[] = [];
  /** Call-ID → account, learned from the first message that told; forgotten when its last entry leaves the ring. */
  readonly #callAccounts = new Map<string, string>();
  /** Call-ID → entries of it in the ring. */
  readonly #callCounts = new Map<string, number>();

  constructor(options: SiplogServiceOptions) {
    this.#clock = options.clock;
    this.#emit = options.emit;
    this.#maxMessages = options.maxMessages ?? SIPLOG_MAX_MESSAGES;
    this.#maxBytes = options.maxBytes ?? SIPLOG_MAX_BYTES;
    this.handlers = {
      'siplog.recent': (query) => this.recent(query),
      'siplog.calls': () => summarizeSipLogCalls(this.#entries()),
      'siplog.export': (request) => this.export(request),
      'siplog.clear': () => this.clear(),
      'siplog.setEnabled': (request) => this.setEnabled(request.enabled),
      'siplog.status': () => this.status(),
    };
  }

  /** Capture what `transport` sends and receives (until it closes or this service does). */
  attach(transport: SipTransportLayer): void {
    if (this.#closed) return;
    this.#taps.add(transport.onMessage((message) => this.record(message)));
  }

  /** The accounts messages are matched to (the phone passes every `accounts.changed` snapshot). */
  setAccounts(accounts: readonly SiplogAccount[]): void {
    const parsed: ParsedAor[] = [];
    for (const a of accounts) {
      const m = /^sips?:([^@;?]+)@([^;?>]+)/i.exec(a.aor);
      if (m !== null) parsed.push({ id: a.id, user: m[1] ?? '', host: hostKey(m[2] ?? '') });
    }
    this.#accounts = parsed;
  }

  /** Capture one message (the transport tap calls this). */
  record(wire: SipWireMessage): void {
    if (this.#closed || !this.#enabled) return;
    const entry = this.#entryOf(wire);
    const stored: StoredEntry = { entry, bytes: entry.text.length + ENTRY_OVERHEAD };
    this.#ring.push(stored);
    this.#ringBytes += stored.bytes;
    this.#captured++;
    if (entry.callId !== null)
      this.#callCounts.set(entry.callId, (this.#callCounts.get(entry.callId) ?? 0) + 1);
    while (
      this.#ring.length > this.#maxMessages ||
      (this.#ringBytes > this.#maxBytes && this.#ring.length > 1)
    ) {
      const dropped = this.#ring.shift();
      if (dropped === undefined) break;
      this.#ringBytes -= dropped.bytes;
      this.#evicted++;
      this.#forget(dropped.entry.callId);
    }
    this.#queue(entry);
  }

  recent(query: SipLogQuery): SipLogEntry[] {
    const limit = query.limit ?? this.#maxMessages;
    const out: SipLogEntry[] = [];
    for (let i = this.#ring.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.#ring[i]?.entry;
      if (entry === undefined) continue;
      if (query.afterSeq !== undefined && entry.seq <= query.afterSeq) break;
      if (matchesSipLogFilter(entry, query)) out.push(entry);
    }
    return out.reverse();
  }

  export(request: SipLogExportRequest): SipLogExport {
    const filter: SipLogFilter = {
      ...(request.callId !== undefined && { callId: request.callId }),
      ...(request.accountId !== undefined && { accountId: request.accountId }),
    };
    const entries = this.#entries().filter((e) => matchesSipLogFilter(e, filter));
    if (entries.length === 0 && request.callId !== undefined) {
      throw new PhoneError('not-found', 'The SIP log has no messages with that Call-ID.');
    }
    const now = Math.floor(this.#clock.now());
    const text =
      request.format === 'json'
        ? `${JSON.stringify({ format: 'softphone-siplog/1', exportedAt: new Date(now).toISOString(), filter, entries }, null, 2)}\n`
        : exportText(entries, filter, now);
    const suffix =
      request.callId === undefined ? '' : `-${request.callId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24)}`;
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return {
      text,
      messages: entries.length,
      fileName: `sip-log-${stamp}${suffix}.${request.format === 'json' ? 'json' : 'txt'}`,
    };
  }

  clear(): SipLogStatus {
    this.#ring.length = 0;
    this.#ringBytes = 0;
    this.#captured = 0;
    this.#evicted = 0;
    this.#pending = [];
    this.#skipped = 0;
    this.#batchTimer?.cancel();
    this.#batchTimer = undefined;
    this.#callAccounts.clear();
    this.#callCounts.clear();
    return this.#changed();
  }

  setEnabled(enabled: boolean): SipLogStatus {
    this.#enabled = enabled;
    return this.#changed();
  }

  status(): SipLogStatus {
    return {
      enabled: this.#enabled,
      messages: this.#ring.length,
      bytes: this.#ringBytes,
      maxMessages: this.#maxMessages,
      maxBytes: this.#maxBytes,
      captured: this.#captured,
      evicted: this.#evicted,
    };
  }

  /** Stop capturing and forget everything (no timer or subscription is left). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tap of this.#taps) tap.dispose();
    this.#taps.clear();
    this.#batchTimer?.cancel();
    this.#batchTimer = undefined;
    this.#pending = [];
    this.#ring.length = 0;
    this.#ringBytes = 0;
    this.#callAccounts.clear();
    this.#callCounts.clear();
  }

  #entries(): SipLogEntry[] {
    return this.#ring.map((s) => s.entry);
  }

  #changed(): SipLogStatus {
    const status = this.status();
    if (!this.#closed) this.#emit('siplog.changed', status);
    return status;
  }

  // ───────────────────────────── batching ─────────────────────────────

  /** Trailing batch: the first message of a quiet period arms the timer; the batch goes out when it fires. */
  #queue(entry: SipLogEntry): void {
    this.#pending.push(entry);
    if (this.#pending.length > SIPLOG_MAX_BATCH) {
      this.#pending.shift();
      this.#skipped++;
    }
    this.#batchTimer ??= this.#clock.setTimer(SIPLOG_BATCH_MS, () => this.#flush());
  }

  #flush(): void {
    this.#batchTimer = undefined;
    const entries = this.#pending;
    const skipped = this.#skipped;
    this.#pending = [];
    this.#skipped = 0;
    if (entries.length > 0 && !this.#closed) this.#emit('siplog.messages', { entries, skipped });
  }

  // ───────────────────────────── entries ─────────────────────────────

  #entryOf(wire: SipWireMessage): SipLogEntry {
    const redacted = redactSipMessage(wire.bytes);
    const base = {
      seq: this.#seq++,
      at: Math.max(0, Math.floor(this.#clock.now())),
      direction: wire.direction,
      transport: wire.transport,
      local: formatAddress(wire.local).slice(0, 64),
      remote: formatAddress(wire.remote).slice(0, 64),
      startLine: redacted.startLine.slice(0, 1024),
      contentType: redacted.contentType?.slice(0, 128) ?? null,
      size: wire.bytes.byteLength,
      text: redacted.text,
    };
    const parsed = wire.rejected === undefined ? parseMessage(wire.bytes) : undefined;
    if (parsed === undefined || !parsed.ok) {
      const reason =
        wire.rejected ?? (parsed !== undefined && !parsed.ok ? parsed.error.reason : 'unparseable message');
      const head = scanHead(redacted.text, redacted.startLine);
      const callId = head.callId;
      return {
        ...base,
        accountId: callId === null ? null : (this.#callAccounts.get(callId) ?? null),
        callId,
        cseq: head.cseq,
        kind: 'invalid',
        method: head.method,
        ...(head.status !== undefined && { status: head.status }),
        branch: head.branch,
        from: null,
        to: null,
        invalidReason: reason.slice(0, 500),
      };
    }
    const message = parsed.message;
    const callId = message.callId.slice(0, 256);
    const cseq = { seq: message.cseq.seq, method: message.cseq.method.slice(0, 32) };
    return {
      ...base,
      accountId: this.#accountOf(message, wire.direction, callId),
      callId,
      cseq,
      kind: message.kind,
      method: message.kind === 'request' ? message.method.slice(0, 32) : cseq.method,
      ...(message.kind === 'response' && { status: message.status }),
      branch: message.topVia.branch?.slice(0, 256) ?? null,
      from: uriText(message.from.uri),
      to: uriText(message.to.uri),
      invalidReason: null,
    };
  }

  #accountOf(message: SipMessage, direction: 'in' | 'out', callId: string): string | null {
    const known = this.#callAccounts.get(callId);
    if (known !== undefined) return known;
    // Our side of the exchange: we are From in requests we send (and in the responses to them).
    const ours = (message.kind === 'request') === (direction === 'out') ? message.from.uri : message.to.uri;
    let account = this.#accountByUri(ours);
    if (
      account === undefined &&
      message.kind === 'request' &&
      direction === 'in' &&
      message.uri.kind === 'sip'
    ) {
      const user = message.uri.user;
      const matches = this.#accounts.filter((a) => a.user === user);
      if (matches.length === 1) account = matches[0]?.id;
    }
    if (account === undefined) return null;
    this.#callAccounts.set(callId, account);
    return account;
  }

  #accountByUri(uri: Uri): string | undefined {
    if (uri.kind !== 'sip') return undefined;
    const user = uri.user ?? '';
    const host = hostKey(uri.host);
    return this.#accounts.find((a) => a.user === user && a.host === host)?.id;
  }

  /** One entry of `callId` left the ring; with its last one, its account is forgotten (the maps stay as small as the ring). */
  #forget(callId: string | null): void {
    if (callId === null) return;
    const left = (this.#callCounts.get(callId) ?? 1) - 1;
    if (left > 0) {
      this.#callCounts.set(callId, left);
      return;
    }
    this.#callCounts.delete(callId);
    this.#callAccounts.delete(callId);
  }
}

function hostKey(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '');
}

function uriText(uri: Uri): string {
  return redactUriPasswords(formatUri(uri)).slice(0, 512);
}

interface ScannedHead {
  readonly callId: string | null;
  readonly cseq: { seq: number; method: string } | null;
  readonly method: string;
  readonly status: number | undefined;
  readonly branch: string | null;
}

/** Best-effort facts from a message the parser refused (already redacted text), for filtering and the ladder. */
function scanHead(text: string, startLine: string): ScannedHead {
  const headEnd = text.indexOf('\n\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const callId = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(head)?.[1]?.slice(0, 256) ?? null;
  const cseqMatch = /^cseq[ \t]*:[ \t]*(\d{1,10})[ \t]+([!%*_+`'~.A-Za-z0-9-]+)/im.exec(head);
  const cseqSeq = cseqMatch === null ? Number.NaN : Number(cseqMatch[1]);
  const cseq =
    cseqMatch !== null && Number.isSafeInteger(cseqSeq)
      ? { seq: cseqSeq, method: (cseqMatch[2] ?? '').slice(0, 32) }
      : null;
  const request = /^([!%*_+`'~.A-Za-z0-9-]+) \S+ SIP\/\d/i.exec(startLine);
  const response = /^SIP\/\d+\.\d+ (\d{3})(?: |$)/i.exec(startLine);
  const code = response === null ? Number.NaN : Number(response[1]);
  const status = code >= 100 && code <= 699 ? code : undefined;
  const method = request !== null ? (request[1] ?? '').slice(0, 32) : (cseq?.method ?? '');
  const branch =
    /^(?:via|v)[ \t]*:[^\n]*?;[ \t]*branch[ \t]*=[ \t]*([^;,\s]+)/im.exec(head)?.[1]?.slice(0, 256) ?? null;
  return { callId, cseq, method, status, branch };
}

/**
 * The text export: a header, then each message (oldest first) under a line with its number, UTC time,
 * direction, transport, source → destination and size — the shape of sngrep's and Wireshark's text dumps.
 */
function exportText(entries: readonly SipLogEntry[], filter: SipLogFilter, now: number): string {
  const scope = [
    filter.callId !== undefined ? `Call-ID ${filter.callId}` : undefined,
    filter.accountId !== undefined ? `account ${filter.accountId}` : undefined,
  ].filter((s) => s !== undefined);
  const lines = [
    `SIP log: ${entries.length} message${entries.length === 1 ? '' : 's'}${scope.length > 0 ? ` (${scope.join(', ')})` : ''}, exported ${utc(now)}`,
    'Credentials redacted: digest response/cnonce/rspauth, URI passwords, SDP keys; bodies other than SDP, sipfrag and dtmf-relay cut.',
    '',
  ];
  for (const e of entries) {
    const [source, destination] = e.direction === 'out' ? [e.local, e.remote] : [e.remote, e.local];
    const notes = [
      e.accountId !== null ? `account ${e.accountId}` : undefined,
      e.invalidReason !== null ? `INVALID: ${e.invalidReason}` : undefined,
    ]
      .filter((s) => s !== undefined)
      .join('; ');
    lines.push(
      `#${e.seq} ${utc(e.at)} ${e.direction === 'out' ? 'OUT' : 'IN '} ${e.transport.toUpperCase()} ${source} -> ${destination} (${e.size} bytes)${notes === '' ? '' : ` [${notes}]`}`,
    );
    lines.push(withoutTrailingNewlines(e.text));
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** (A loop, not /\n+$/: that pattern is quadratic on long runs of newlines inside a hostile body.) */
function withoutTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end);
}

/** "2023-11-14 22:13:20.123 UTC" */
function utc(at: number): string {
  return `${new Date(at).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

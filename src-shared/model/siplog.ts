/**
 * The SIP log: every SIP message the phone's transports sent or received, kept in a bounded ring in the
 * main process only (never on disk), with credentials redacted before an entry exists. The renderer shows
 * it as a message list and, per Call-ID, as a ladder diagram (see ./siplog-ladder.ts).
 *
 * An entry's `text` is the whole message as it crossed the wire, with:
 *   - Authorization / Proxy-Authorization: `response`, `cnonce` and any parameter a debugger does not need
 *     replaced by `<redacted>` (scheme, username, realm, nonce, uri, algorithm, qop, nc, opaque stay);
 *     credentials of other schemes (Basic, Bearer…) replaced whole;
 *     Authentication-Info `rspauth`/`cnonce` likewise (both are offline-guessable proofs of the password);
 *   - `sip:user:password@…` passwords replaced;
 *   - SDP keys (`a=crypto … inline:`, `a=ice-pwd:`, `k=`) replaced;
 *   - bodies other than application/sdp, message/sipfrag and application/dtmf-relay cut to
 *     SIPLOG_BODY_PREVIEW bytes.
 * WWW-Authenticate / Proxy-Authenticate challenges (nonces) are not secrets and stay as they are.
 * Line ends are shown as "\n" (the wire's CRLF); `size` is the message's size on the wire in bytes.
 */
import { z } from 'zod';
import { AccountId } from './account.ts';

/** The ring's default bounds: the newest messages are kept, the oldest dropped. */
export const SIPLOG_MAX_MESSAGES = 5000;
export const SIPLOG_MAX_BYTES = 8 * 1024 * 1024;
/** Longest `text` of one entry (characters); a longer message is cut with a marker line. */
export const SIPLOG_TEXT_MAX = 65_536;
/** How much of a body that is not SDP, sipfrag or dtmf-relay is shown. */
export const SIPLOG_BODY_PREVIEW = 256;
/** Events carry new entries in batches, at most one batch per this many ms. */
export const SIPLOG_BATCH_MS = 100;

const Timestamp = z.int().nonnegative();
const Seq = z.int().nonnegative();
/** 'ip:port', IPv6 as '[addr]:port'. */
const Address = z.string().min(1).max(64);
const Method = z.string().max(32);
const CallIdText = z.string().min(1).max(256);

export const SipLogDirection = z.enum(['in', 'out']);
export type SipLogDirection = z.infer<typeof SipLogDirection>;

export const SipLogTransport = z.enum(['udp', 'tcp', 'tls']);
export type SipLogTransport = z.infer<typeof SipLogTransport>;

/** 'invalid': a message our parser refused (it was answered with 400/505/513… or dropped). */
export const SipLogKind = z.enum(['request', 'response', 'invalid']);
export type SipLogKind = z.infer<typeof SipLogKind>;

export const SipLogEntry = z.strictObject({
  /** Increases by one per captured message (gaps: messages dropped from a batch or evicted). */
  seq: Seq,
  /** Wall-clock time, epoch ms. */
  at: Timestamp,
  direction: SipLogDirection,
  transport: SipLogTransport,
  /** Our address on the flow ('ip:port'). */
  local: Address,
  /** The other end ('ip:port'). */
  remote: Address,
  /** The account the message belongs to, when the phone could tell. */
  accountId: AccountId.nullable(),
  callId: CallIdText.nullable(),
  cseq: z.strictObject({ seq: z.int().nonnegative(), method: Method }).nullable(),
  /** "INVITE sip:1001@lab.test SIP/2.0", "SIP/2.0 180 Ringing" (an invalid message: its first line). */
  startLine: z.string().max(1024),
  kind: SipLogKind,
  /** The request's method; for a response the CSeq method; '' when unknown (invalid messages). */
  method: Method,
  /** Responses only. */
  status: z.int().min(100).max(699).optional(),
  /** The top Via's branch (transaction id; the ladder finds retransmissions with it). */
  branch: z.string().max(256).nullable(),
  /** From / To URIs (no display name, no tag). */
  from: z.string().max(512).nullable(),
  to: z.string().max(512).nullable(),
  /** The body's media type ("application/sdp"), null without a body. */
  contentType: z.string().max(128).nullable(),
  /** Size on the wire, bytes. */
  size: z.int().nonnegative(),
  /** The whole message, redacted (see above). */
  text: z.string().max(SIPLOG_TEXT_MAX),
  /** Invalid messages: why the parser refused it. */
  invalidReason: z.string().max(500).nullable(),
});
export type SipLogEntry = z.infer<typeof SipLogEntry>;

/** Filters of `siplog.recent` / `siplog.export`; all optional, combined with AND. */
export const SipLogFilter = z.strictObject({
  callId: CallIdText.optional(),
  accountId: AccountId.optional(),
  /** Request method, or for responses the CSeq method; case-insensitive. */
  method: z.string().min(1).max(32).optional(),
  /** Case-insensitive substring of the (redacted) message text. */
  text: z.string().min(1).max(200).optional(),
  direction: SipLogDirection.optional(),
});
export type SipLogFilter = z.infer<typeof SipLogFilter>;

export const SipLogQuery = SipLogFilter.extend({
  /** At most this many entries: the newest that match (default and maximum SIPLOG_MAX_MESSAGES). */
  limit: z.int().min(1).max(SIPLOG_MAX_MESSAGES).optional(),
  /** Only entries with a larger seq (to catch up after a skipped batch). */
  afterSeq: Seq.optional(),
});
export type SipLogQuery = z.infer<typeof SipLogQuery>;

/** Entries oldest first. */
export const SipLogEntries = z.array(SipLogEntry).max(SIPLOG_MAX_MESSAGES);

/** One Call-ID seen in the ring, for the ladder picker (calls, registrations, OPTIONS… alike). */
export const SipLogCall = z.strictObject({
  callId: CallIdText,
  accountId: AccountId.nullable(),
  firstAt: Timestamp,
  lastAt: Timestamp,
  /** The first request's method ("INVITE", "REGISTER"…), '' when only responses or invalid messages were seen. */
  firstMethod: Method,
  /** From / To of the first message that had them. */
  from: z.string().max(512).nullable(),
  to: z.string().max(512).nullable(),
  /** Request methods seen, in order of first appearance. */
  methods: z.array(Method).max(64),
  messages: z.int().nonnegative(),
  /** The last final (≥ 200) status answering `firstMethod`, null while none was seen. */
  finalStatus: z.int().min(200).max(699).nullable(),
});
export type SipLogCall = z.infer<typeof SipLogCall>;

/** Newest activity first. */
export const SipLogCalls = z.array(SipLogCall).max(SIPLOG_MAX_MESSAGES);

export const SipLogExportFormat = z.enum(['text', 'json']);
export type SipLogExportFormat = z.infer<typeof SipLogExportFormat>;

export const SipLogExportRequest = z.strictObject({
  format: SipLogExportFormat,
  callId: CallIdText.optional(),
  accountId: AccountId.optional(),
});
export type SipLogExportRequest = z.infer<typeof SipLogExportRequest>;

export const SipLogExport = z.strictObject({
  /** The export (text: sngrep-like message dump; json: `{ exportedAt, callId, entries }`). */
  text: z.string(),
  messages: z.int().nonnegative(),
  /** A suggested file name, e.g. "sip-log-20231114-221320.txt". */
  fileName: z.string().min(1).max(128),
});
export type SipLogExport = z.infer<typeof SipLogExport>;

export const SipLogStatus = z.strictObject({
  /** Whether messages are captured (default true; only in memory either way). */
  enabled: z.boolean(),
  messages: z.int().nonnegative(),
  /** The ring's size by its own accounting (message text + a fixed overhead per entry). */
  bytes: z.int().nonnegative(),
  maxMessages: z.int().positive(),
  maxBytes: z.int().positive(),
  /** Messages captured since the last clear, and how many of them the ring has dropped since. */
  captured: z.int().nonnegative(),
  evicted: z.int().nonnegative(),
});
export type SipLogStatus = z.infer<typeof SipLogStatus>;

/**
 * A batch of new entries (oldest first). `skipped`: messages captured in this window that the batch does
 * not carry (a storm larger than one batch); fetch them with `siplog.recent({ afterSeq })` if needed.
 */
export const SipLogBatch = z.strictObject({
  entries: SipLogEntries,
  skipped: z.int().nonnegative(),
});
export type SipLogBatch = z.infer<typeof SipLogBatch>;

/** Whether `entry` passes `filter` (the main side's `siplog.recent` and `siplog.export` use this too). */
export function matchesSipLogFilter(entry: SipLogEntry, filter: SipLogFilter): boolean {
  if (filter.callId !== undefined && entry.callId !== filter.callId) return false;
  if (filter.accountId !== undefined && entry.accountId !== filter.accountId) return false;
  if (filter.direction !== undefined && entry.direction !== filter.direction) return false;
  if (filter.method !== undefined && entry.method.toUpperCase() !== filter.method.toUpperCase()) return false;
  if (filter.text !== undefined && !entry.text.toLowerCase().includes(filter.text.toLowerCase()))
    return false;
  return true;
}

/** The Call-IDs among `entries` (oldest first), newest activity first. */
export function summarizeSipLogCalls(entries: readonly SipLogEntry[]): SipLogCall[] {
  const calls = new Map<string, { call: SipLogCall; lastSeq: number }>();
  for (const entry of entries) {
    if (entry.callId === null) continue;
    let item = calls.get(entry.callId);
    if (item === undefined) {
      item = {
        call: {
          callId: entry.callId,
          accountId: null,
          firstAt: entry.at,
          lastAt: entry.at,
          firstMethod: '',
          from: null,
          to: null,
          methods: [],
          messages: 0,
          finalStatus: null,
        },
        lastSeq: entry.seq,
      };
      calls.set(entry.callId, item);
    }
    const call = item.call;
    item.lastSeq = entry.seq;
    call.messages++;
    call.lastAt = Math.max(call.lastAt, entry.at);
    call.accountId ??= entry.accountId;
    if (call.from === null && entry.from !== null) {
      call.from = entry.from;
      call.to = entry.to;
    }
    if (entry.kind === 'request') {
      if (call.firstMethod === '') call.firstMethod = entry.method;
      if (!call.methods.includes(entry.method) && call.methods.length < 64) call.methods.push(entry.method);
    } else if (entry.kind === 'response' && entry.status !== undefined && entry.status >= 200) {
      if (entry.method === call.firstMethod) call.finalStatus = entry.status;
    }
  }
  return [...calls.values()]
    .sort((a, b) => b.call.lastAt - a.call.lastAt || b.lastSeq - a.lastSeq)
    .map((i) => i.call);
}

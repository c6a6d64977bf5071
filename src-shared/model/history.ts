/**
 * The call log. One entry per call, written when the call starts and completed when it ends.
 *
 * `completion` tells the three states apart:
 *   in-progress   — started, not ended yet (only while the call is up)
 *   completed     — ended normally; `result` and `endedAt` are set
 *   ended-unknown — the app stopped during the call; `result` is `failed`, `endedAt` is null
 *
 * Pages are fetched with keyset pagination: a page's `nextCursor` (the last entry's `startedAt` and `id`)
 * is passed back to get the entries that follow it, newest first.
 */
import { z } from 'zod';
import { AccountId } from './account.ts';
import { ContactId } from './contact.ts';

/** The phone's id of a call (unique; the phone may use the SIP Call-ID or its own id). */
export const CallId = z.string().min(1).max(256);
export type CallId = z.infer<typeof CallId>;

export const CallDirection = z.enum(['incoming', 'outgoing']);
export type CallDirection = z.infer<typeof CallDirection>;

/**
 * How a call ended.
 *   answered  — it was answered (by either side) and then hung up
 *   missed    — incoming, never answered here, the caller gave up or it timed out
 *   rejected  — declined by the callee (we declined an incoming call, or the remote sent 603/decline)
 *   busy      — 486/600 Busy
 *   failed    — any other failure (transport, timeout, 4xx–6xx, media, app closed during the call)
 *   cancelled — outgoing, we hung up before an answer
 */
export const CallResult = z.enum(['answered', 'missed', 'rejected', 'busy', 'failed', 'cancelled']);
export type CallResult = z.infer<typeof CallResult>;

/** The media path the call settled on: host/srflx pair or plain RTP (`direct`) or via TURN (`relayed`). */
export const MediaPath = z.enum(['direct', 'relayed', 'unknown']);
export type MediaPath = z.infer<typeof MediaPath>;

/**
 * Whether the call's audio was encrypted: `srtp` (SDES-SRTP, RFC 4568 / RFC 3711) or `none` (plain RTP),
 * as the call said while its media was up (`none` for a call that never had media). `unknown`: logged by
 * a version of the app that did not record it.
 */
export const HistoryEncryption = z.enum(['none', 'srtp', 'unknown']);
export type HistoryEncryption = z.infer<typeof HistoryEncryption>;

export const CallCompletion = z.enum(['in-progress', 'completed', 'ended-unknown']);
export type CallCompletion = z.infer<typeof CallCompletion>;

const Timestamp = z.int().nonnegative();

export const HistoryEntry = z.strictObject({
  id: CallId,
  direction: CallDirection,
  /** Null when the account has been deleted since. */
  accountId: AccountId.nullable(),
  remoteUri: z.string().max(512),
  /** The display name the remote side sent (empty when none). */
  remoteDisplayName: z.string().max(256),
  startedAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  /** Talk time (answered → ended), 0 for calls never answered, null when unknown. */
  durationMs: z.int().nonnegative().nullable(),
  result: CallResult.nullable(),
  completion: CallCompletion,
  /** The final SIP status code, when one decided the outcome. */
  sipCode: z.int().min(100).max(699).nullable(),
  reason: z.string().max(256).nullable(),
  codec: z.string().max(32).nullable(),
  mediaPath: MediaPath,
  encryption: HistoryEncryption,
  /** Estimated mean opinion score (1–5) from RTCP statistics, when known. */
  mos: z.number().min(1).max(5).nullable(),
  /** For missed calls: whether the user has seen it (the missed-call badge counts the unseen ones). */
  seen: z.boolean(),
  /** The address-book contact whose number or SIP URI matches the remote party, if any. */
  contact: z.strictObject({ id: ContactId, name: z.string().max(200) }).nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const HistoryKind = z.enum(['all', 'missed', 'incoming', 'outgoing']);
export type HistoryKind = z.infer<typeof HistoryKind>;

/** Which entries to show. All fields are optional and combine with AND. */
export const HistoryFilter = z
  .strictObject({
    kind: HistoryKind.optional(),
    accountId: AccountId.optional(),
    /** Calls started at or after this time (ms since the epoch). */
    from: Timestamp.optional(),
    /** Calls started before this time. */
    to: Timestamp.optional(),
    /** The start of a number (`+49 30`, `1000`) or words of a name (`ann mül`). */
    search: z.string().max(100).optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, {
    message: '`from` is after `to`',
    path: ['to'],
  });
export type HistoryFilter = z.infer<typeof HistoryFilter>;

/** Where the next page starts: the last entry of the previous page. */
export const HistoryCursor = z.strictObject({ startedAt: Timestamp, id: CallId });
export type HistoryCursor = z.infer<typeof HistoryCursor>;

export const HISTORY_PAGE_MAX = 200;

export const HistoryQuery = z.strictObject({
  filter: HistoryFilter.optional(),
  /** Absent or null: the first (newest) page. */
  cursor: HistoryCursor.nullable().optional(),
  /** Entries per page, default 50. */
  limit: z.int().min(1).max(HISTORY_PAGE_MAX).optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryPage = z.strictObject({
  entries: z.array(HistoryEntry).max(HISTORY_PAGE_MAX),
  /** Null when this is the last page. */
  nextCursor: HistoryCursor.nullable(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** The most call ids one `history.markSeen` may name. */
export const HISTORY_IDS_MAX = 1000;

/** The number of missed calls the user has not seen yet (the badge on the history tab). */
export const MissedCount = z.strictObject({ missedUnseen: z.int().nonnegative() });
export type MissedCount = z.infer<typeof MissedCount>;

/**
 * Why the call log changed:
 *   call-started / call-answered / call-ended — a call's row was written (`entry` is that row)
 *   seen     — missed calls were marked seen
 *   removed  — entries were deleted
 *   cleared  — the whole log was deleted
 */
export const HistoryChangeReason = z.enum([
  'call-started',
  'call-answered',
  'call-ended',
  'seen',
  'removed',
  'cleared',
]);
export type HistoryChangeReason = z.infer<typeof HistoryChangeReason>;

/**
 * The `history.changed` event. `ids` lists the entries that changed, or is null when they are too many
 * to list (all missed calls seen, the log cleared): reload the page. `entry` is the changed row after a
 * call event, null otherwise. `missedUnseen` is always the current badge count.
 */
export const HistoryChange = z.strictObject({
  reason: HistoryChangeReason,
  ids: z.array(CallId).max(HISTORY_IDS_MAX).nullable(),
  entry: HistoryEntry.nullable(),
  missedUnseen: z.int().nonnegative(),
});
export type HistoryChange = z.infer<typeof HistoryChange>;

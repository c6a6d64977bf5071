/**
 * `CallHistoryRecorder`: where the calls layer reports a call's life so that it lands in the call log.
 *
 *   callStarted(snapshot)   → recordStart     (the row exists from the first moment: a crash keeps it)
 *   callAnswered(snapshot)  → recordAnswered  (talk time and encryption are known even if the app stops
 *                                              mid-call)
 *   callEnded(snapshot)     → recordEnd       (result, SIP code, codec, media path, encryption, MOS)
 *
 * Each step is its own transaction in the store, and each recorded step is announced as
 * `history.changed` with the row and the missed-call badge count. Recording never throws into the call:
 * a failure (no store, disk full, a call ended twice) is logged and answered as a value, because a call
 * must go on even when its log row cannot be written.
 */
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type { CallEncryption } from '../../src-shared/model/call.ts';
import type {
  CallDirection,
  CallResult,
  HistoryChangeReason,
  HistoryEntry,
  MediaPath,
} from '../../src-shared/model/history.ts';
import { assertNever } from '../../src-shared/util/emitter.ts';
import type { CallStartRecord, Store } from '../store/index.ts';
import type { ScopedLog } from './log.ts';
import { describeIssues, sqliteCodeOf } from './storage-access.ts';

/** What the call log needs to know about a call; the calls layer maps its own call snapshot onto this. */
export interface CallHistorySnapshot {
  /** The phone's id of the call (unique for all time; the SIP Call-ID or the phone's own id). */
  readonly id: string;
  readonly direction: CallDirection;
  /** The account the call belongs to; null when none (or one that is not stored). */
  readonly accountId: string | null;
  /** The remote party's URI (`sip:1000@pbx.example`, `tel:+49…`). */
  readonly remoteUri: string;
  /** The display name the remote side sent; empty or null when none. */
  readonly remoteDisplayName: string | null;
  /** Wall-clock times, ms since the epoch. */
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  /** How it ended; null while it is up. */
  readonly result: CallResult | null;
  /** The final SIP status that decided the outcome, when one did. */
  readonly sipCode: number | null;
  /** A Reason header or the error in words. */
  readonly reason: string | null;
  readonly codec: string | null;
  readonly mediaPath: MediaPath;
  /**
   * Whether the audio is encrypted (SRTP) or plain RTP, as the call said while its media was up (`none`
   * before, and for a call that never had media).
   */
  readonly encryption: CallEncryption;
  /** Estimated MOS (1–5) from RTCP, when known. */
  readonly mos?: number | null;
}

/** A snapshot of a call that has ended. */
export type EndedCallSnapshot = CallHistorySnapshot & {
  readonly result: CallResult;
  readonly endedAt: number;
};

export type RecordFailureReason =
  /** The phone runs without a store (or it is closed): nothing is recorded. */
  | 'no-store'
  /** callStarted twice for one id. */
  | 'duplicate'
  /** callAnswered for a call that was never started. */
  | 'not-found'
  /** The call's row is already complete. */
  | 'already-ended'
  /** The snapshot does not fit the log's schema (a bug in the caller). */
  | 'invalid'
  /** SQLite could not write (disk full, read-only, locked too long). */
  | 'storage';

export type RecordOutcome =
  | { readonly recorded: true; readonly entry: HistoryEntry }
  | { readonly recorded: false; readonly reason: RecordFailureReason; readonly message: string };

export interface CallHistoryRecorderOptions {
  store: Store | null;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  log: ScopedLog;
}

export class CallHistoryRecorder {
  private readonly store: Store | null;
  private readonly emit: CallHistoryRecorderOptions['emit'];
  private readonly log: ScopedLog;

  constructor(options: CallHistoryRecorderOptions) {
    this.store = options.store;
    this.emit = options.emit;
    this.log = options.log;
  }

  /** A new call (incoming ringing, or outgoing dialled): its row is written now. */
  callStarted(call: CallHistorySnapshot): RecordOutcome {
    return this.record(call.id, 'call-started', (store) => this.start(store, call));
  }

  /** The call was answered (by either side) at `call.answeredAt`. */
  callAnswered(call: CallHistorySnapshot): RecordOutcome {
    const answeredAt = call.answeredAt;
    if (answeredAt === null)
      return this.refused(call.id, 'call-answered', 'invalid', 'the snapshot has no answeredAt');
    return this.record(call.id, 'call-answered', (store) => {
      const answered = store.history.recordAnswered(call.id, answeredAt, call.encryption);
      if (!answered.ok)
        return { recorded: false, reason: answered.error.code, message: describeFailure(answered.error) };
      const entry = store.history.get(call.id);
      return entry === null
        ? { recorded: false, reason: 'not-found', message: 'the row vanished after it was written' }
        : { recorded: true, entry };
    });
  }

  /**
   * The call ended. A call whose start was never recorded (it failed at once, or the start could not be
   * written) gets its whole row now, so that every call that ends is in the log.
   */
  callEnded(call: EndedCallSnapshot): RecordOutcome {
    return this.record(call.id, 'call-ended', (store) => {
      const end = {
        id: call.id,
        endedAt: call.endedAt,
        result: call.result,
        answeredAt: call.answeredAt,
        sipCode: call.sipCode,
        reason: call.reason,
        codec: call.codec,
        mediaPath: call.mediaPath,
        encryption: call.encryption,
        mos: call.mos ?? null,
      };
      let ended = store.history.recordEnd(end);
      if (!ended.ok && ended.error.code === 'not-found') {
        const started = this.start(store, call);
        if (!started.recorded) return started;
        ended = store.history.recordEnd(end);
      }
      if (!ended.ok)
        return { recorded: false, reason: ended.error.code, message: describeFailure(ended.error) };
      return { recorded: true, entry: ended.value };
    });
  }

  /**
   * recordStart; a call of an account that is not stored (the CLI dials with an account given on the
   * command line, or the account was deleted meanwhile) is logged without an account rather than lost.
   */
  private start(store: Store, call: CallHistorySnapshot): RecordOutcome {
    const record: CallStartRecord = {
      id: call.id,
      direction: call.direction,
      accountId: call.accountId,
      remoteUri: call.remoteUri,
      remoteDisplayName: call.remoteDisplayName ?? '',
      startedAt: call.startedAt,
      encryption: call.encryption,
    };
    let started = store.history.recordStart(record);
    if (
      !started.ok &&
      call.accountId !== null &&
      started.error.code === 'invalid' &&
      store.accounts.get(call.accountId) === null
    ) {
      this.log.warn(
        `call ${call.id}: account ${call.accountId} is not stored; logging the call without an account`,
      );
      started = store.history.recordStart({ ...record, accountId: null });
    }
    if (!started.ok)
      return { recorded: false, reason: started.error.code, message: describeFailure(started.error) };
    return { recorded: true, entry: started.value };
  }

  private record(
    id: string,
    reason: HistoryChangeReason,
    work: (store: Store) => RecordOutcome,
  ): RecordOutcome {
    if (this.store === null || !this.store.open) {
      return { recorded: false, reason: 'no-store', message: 'the phone runs without a call log' };
    }
    const store = this.store;
    let outcome: RecordOutcome;
    try {
      outcome = work(store);
    } catch (error) {
      const code = sqliteCodeOf(error);
      if (code === null) throw error;
      return this.refused(id, reason, 'storage', `${(error as Error).message} (${code})`);
    }
    if (!outcome.recorded) return this.refused(id, reason, outcome.reason, outcome.message);
    this.emit('history.changed', {
      reason,
      ids: [outcome.entry.id],
      entry: outcome.entry,
      missedUnseen: store.history.unseenMissedCount(),
    });
    return outcome;
  }

  private refused(
    id: string,
    step: HistoryChangeReason,
    reason: RecordFailureReason,
    message: string,
  ): RecordOutcome {
    const text = `call ${id}: ${step} was not recorded in the call log (${reason}: ${message})`;
    if (reason === 'storage' || reason === 'invalid') this.log.error(text);
    else this.log.warn(text);
    return { recorded: false, reason, message };
  }
}

function describeFailure(
  error:
    | { code: 'invalid'; issues: readonly { path: string; message: string }[] }
    | { code: 'duplicate' | 'not-found' | 'already-ended'; id: string },
): string {
  switch (error.code) {
    case 'invalid':
      return describeIssues(error.issues);
    case 'duplicate':
      return `a call with id ${error.id} is already in the log`;
    case 'not-found':
      return `no call with id ${error.id} in the log`;
    case 'already-ended':
      return `the call ${error.id} has already ended`;
    default:
      return assertNever(error);
  }
}

/**
 * The history domain of the phone API: the call log in the store, read page by page, marked seen,
 * deleted, exported as CSV. Changes go out as `history.changed` with the missed-call badge count. The
 * calls layer writes the log through `recorder` (see call-history-recorder.ts).
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type {
  HistoryChange,
  HistoryFilter,
  HistoryPage,
  HistoryQuery,
} from '../../src-shared/model/history.ts';
import type { Store } from '../store/index.ts';
import { CallHistoryRecorder } from './call-history-recorder.ts';
import type { ScopedLog } from './log.ts';
import type { CommandHandlers } from './router.ts';
import { describeIssues, type StorageAccess } from './storage-access.ts';

export interface HistoryServiceOptions {
  /** The store itself, for the recorder (which never throws); null without one. */
  store: Store | null;
  storage: StorageAccess;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  log: ScopedLog;
}

type HistoryCommand =
  | 'history.page'
  | 'history.markSeen'
  | 'history.remove'
  | 'history.clear'
  | 'history.exportCsv'
  | 'history.missedCount';

const WHAT = 'the call log';

export class HistoryService {
  readonly handlers: Pick<CommandHandlers, HistoryCommand>;
  /** Where the calls layer reports calls. */
  readonly recorder: CallHistoryRecorder;
  private readonly storage: StorageAccess;
  private readonly emit: HistoryServiceOptions['emit'];

  constructor(options: HistoryServiceOptions) {
    this.storage = options.storage;
    this.emit = options.emit;
    this.recorder = new CallHistoryRecorder({ store: options.store, emit: options.emit, log: options.log });
    this.handlers = {
      'history.page': (query) => this.page(query),
      'history.markSeen': (req) => this.markSeen(req.ids),
      'history.remove': (req) => this.remove(req.id),
      'history.clear': () => this.clear(),
      'history.exportCsv': (req) => this.exportCsv(req.filter ?? {}),
      'history.missedCount': () => ({ missedUnseen: this.missedUnseen() }),
    };
    if (options.store !== null) {
      const repaired = options.store.repairedCalls;
      const text = `call log opened; ${repaired} call(s) left unfinished by the previous run marked failed ("app closed during call")`;
      if (repaired > 0) options.log.warn(text);
      else options.log.info(text);
    }
  }

  page(query: HistoryQuery): HistoryPage {
    const page = this.storage.use(WHAT, (store) => store.history.page(query));
    if (!page.ok)
      throw new PhoneError('invalid-request', `history query: ${describeIssues(page.error.issues)}`);
    return page.value;
  }

  markSeen(ids: readonly string[] | undefined): { changed: number; missedUnseen: number } {
    const changed = this.storage.use(WHAT, (store) => store.history.markSeen(ids));
    const missedUnseen = this.missedUnseen();
    if (changed > 0)
      this.changed({ reason: 'seen', ids: ids === undefined ? null : [...ids], entry: null, missedUnseen });
    return { changed, missedUnseen };
  }

  remove(id: string): null {
    if (!this.storage.use(WHAT, (store) => store.history.remove(id))) {
      throw new PhoneError('not-found', `There is no call ${JSON.stringify(id)} in the call log.`);
    }
    this.changed({ reason: 'removed', ids: [id], entry: null, missedUnseen: this.missedUnseen() });
    return null;
  }

  clear(): { removed: number } {
    const removed = this.storage.use(WHAT, (store) => store.history.clear());
    this.changed({ reason: 'cleared', ids: null, entry: null, missedUnseen: this.missedUnseen() });
    return { removed };
  }

  /** The CSV text (header and one record per call) and the number of calls in it. */
  exportCsv(filter: HistoryFilter): { text: string; rows: number } {
    return this.storage.use(WHAT, (store) => {
      const records = store.history.exportCsv(filter);
      if (!records.ok)
        throw new PhoneError('invalid-request', `history filter: ${describeIssues(records.error.issues)}`);
      const chunks = [...records.value];
      return { text: chunks.join(''), rows: chunks.length - 1 };
    });
  }

  missedUnseen(): number {
    return this.storage.use(WHAT, (store) => store.history.unseenMissedCount());
  }

  private changed(change: HistoryChange): void {
    this.emit('history.changed', change);
  }
}

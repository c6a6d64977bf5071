/**
 * Writes call-log rows straight into a database file, bypassing the data-folder lock, so that two of
 * these running at once exercise SQLite's own locking:
 *   node write-calls.ts <file> <prefix> <count>
 */
import { CallHistoryRepository, openDatabase } from '../../../../src-main/store/index.ts';
import { emit } from './output.ts';

const [file, prefix, countText] = process.argv.slice(2);
if (file === undefined || prefix === undefined || countText === undefined) throw new Error('usage');
const opened = openDatabase(file);
if (!opened.ok) throw new Error(opened.error.message);
const history = new CallHistoryRepository(opened.value.db);
for (let i = 0; i < Number(countText); i++) {
  const id = `${prefix}-${i}`;
  const started = history.recordStart({
    id,
    direction: 'incoming',
    accountId: null,
    remoteUri: `sip:${i}@x`,
    startedAt: i,
  });
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  const ended = history.recordEnd({ id, endedAt: i + 1, result: 'answered', answeredAt: i });
  if (!ended.ok) throw new Error(JSON.stringify(ended.error));
}
opened.value.db.close();
emit('done');

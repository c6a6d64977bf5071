/**
 * A second app instance, for the locking tests:
 *   node open-store.ts <dataDir> try   → prints the openStore result as JSON, closes, exits
 *   node open-store.ts <dataDir> hold  → opens, prints the result, keeps the store open until stdin ends
 */
import { NodeKeyFileCipher, openStore } from '../../../../src-main/store/index.ts';
import { emit } from './output.ts';

const [dataDir, mode] = process.argv.slice(2);
if (dataDir === undefined || (mode !== 'try' && mode !== 'hold'))
  throw new Error('usage: open-store.ts <dataDir> try|hold');

const opened = openStore({ dataDir, cipher: NodeKeyFileCipher.forDataDir(dataDir) });
if (!opened.ok) {
  emit(JSON.stringify({ ok: false, error: opened.error }));
} else {
  const store = opened.value;
  store.history.recordStart({
    id: `opened-by-${process.pid}`,
    direction: 'outgoing',
    accountId: null,
    remoteUri: 'sip:echo@example.com',
    startedAt: Date.now(),
  });
  emit(JSON.stringify({ ok: true, pid: process.pid }));
  if (mode === 'hold') {
    process.stdin.resume();
    process.stdin.on('end', () => {
      store.close();
      emit('closed');
    });
  } else {
    store.close();
  }
}

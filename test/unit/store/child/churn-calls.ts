/**
 * The victim of the kill -9 test: logs calls as fast as it can and prints `done <id>` after each call's
 * final commit, until it is killed.
 *   node churn-calls.ts <dataDir>
 * Before churning it starts one call that never ends (`held-call`, answered), like a call in progress
 * when the app dies.
 */
import { NodeKeyFileCipher, openStore } from '../../../../src-main/store/index.ts';
import { emit } from './output.ts';

const [dataDir] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: churn-calls.ts <dataDir>');
const opened = openStore({ dataDir, cipher: NodeKeyFileCipher.forDataDir(dataDir) });
if (!opened.ok) throw new Error(JSON.stringify(opened.error));
const { history } = opened.value;

history.recordStart({
  id: 'held-call',
  direction: 'incoming',
  accountId: null,
  remoteUri: 'sip:held@example.com',
  startedAt: 1000,
});
history.recordAnswered('held-call', 1500);
emit('ready');

// Bounded so that a parent that fails to kill us does not leave a process running forever.
for (let i = 0; i < 2_000_000; i++) {
  const id = `call-${i}`;
  const startedAt = 10_000 + i * 10;
  const started = history.recordStart({
    id,
    direction: i % 2 === 0 ? 'incoming' : 'outgoing',
    accountId: null,
    remoteUri: `sip:${1000 + (i % 50)}@pbx.example.com`,
    remoteDisplayName: `Caller ${i % 50}`,
    startedAt,
  });
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  const ended = history.recordEnd({
    id,
    endedAt: startedAt + 5,
    answeredAt: i % 3 === 0 ? null : startedAt + 1,
    result: i % 3 === 0 ? 'missed' : 'answered',
    mediaPath: 'direct',
  });
  if (!ended.ok) throw new Error(JSON.stringify(ended.error));
  emit(`done ${id}`);
}

/**
 * `softphone history` as a user runs it: the installed bin, a temporary --data-dir, an empty and a seeded
 * call log, the human table, --json lines, --csv, filters, and a data folder held by another instance.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, makeTempDir, openTestStore, type TempDir } from '../../store/helpers.ts';
import { softphone } from './spawn.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('softphone-cli-history-');
});
afterEach(() => temp.remove());

const at = (iso: string): number => Date.parse(iso);

/** Three finished calls and a contact, written straight into the store as the phone would. */
function seed(): void {
  const store = openTestStore(temp.path, new ManualClock(at('2024-03-03T00:00:00Z')));
  try {
    const calls = [
      {
        id: 'h1',
        direction: 'outgoing',
        remoteUri: 'sip:1000@pbx.example',
        remoteDisplayName: 'Reception',
        start: '2024-03-01T09:00:00Z',
        answer: 3_000,
        end: 125_000,
        result: 'answered',
        sipCode: null,
        encryption: 'none',
      },
      {
        id: 'h2',
        direction: 'incoming',
        remoteUri: 'tel:+4930123456',
        remoteDisplayName: 'Anna',
        start: '2024-03-01T10:30:00Z',
        answer: null,
        end: 20_000,
        result: 'missed',
        sipCode: 487,
        encryption: 'none',
      },
      {
        id: 'h3',
        direction: 'incoming',
        remoteUri: 'sip:2000@pbx.example',
        remoteDisplayName: '',
        start: '2024-03-02T08:15:00Z',
        answer: 1_000,
        end: 3_726_000,
        result: 'answered',
        sipCode: null,
        encryption: 'srtp',
      },
    ] as const;
    for (const c of calls) {
      const startedAt = at(c.start);
      if (
        !store.history.recordStart({
          id: c.id,
          direction: c.direction,
          accountId: null,
          remoteUri: c.remoteUri,
          remoteDisplayName: c.remoteDisplayName,
          startedAt,
        }).ok
      )
        throw new Error('start');
      const ended = store.history.recordEnd({
        id: c.id,
        endedAt: startedAt + c.end,
        answeredAt: c.answer === null ? null : startedAt + c.answer,
        result: c.result,
        sipCode: c.sipCode,
        codec: c.answer === null ? null : 'PCMA',
        mediaPath: c.answer === null ? 'unknown' : 'direct',
        encryption: c.encryption,
      });
      if (!ended.ok) throw new Error('end');
    }
    const contact = store.contacts.add({
      name: 'Zentrale',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'sip', value: 'sip:2000@pbx.example', label: '' }],
    });
    if (!contact.ok) throw new Error('contact');
  } finally {
    store.close();
  }
}

// Each case starts the real bin (a Node process that loads the TypeScript sources): seconds, not ms.
describe('softphone history', { timeout: 60_000 }, () => {
  it('says so when the call log is empty, in words and in JSON', async () => {
    const human = await softphone(['history', '--data-dir', temp.path]);
    expect(human).toMatchObject({ code: 0, stdout: 'No calls in the call log.\n', stderr: '' });
    const json = await softphone(['history', '--data-dir', temp.path, '--json']);
    expect(json.code).toBe(0);
    expect(json.lines()).toEqual([{ type: 'result', ok: true, value: { count: 0, more: false } }]);
    const missed = await softphone(['history', '--missed', '--data-dir', temp.path]);
    expect(missed.stdout).toBe('No calls match.\n');
  });

  it('shows the seeded log as a table, newest first, with contact names and talk time', async () => {
    seed();
    const run = await softphone(['history', '--data-dir', temp.path]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'When              Call  Result           Talk  Party',
        '2024-03-02 08:15  in    answered      1:02:05  Zentrale <sip:2000@pbx.example>',
        '2024-03-01 10:30  in    missed (487)           Anna <tel:+4930123456>',
        '2024-03-01 09:00  out   answered         2:02  Reception <sip:1000@pbx.example>',
        '',
      ].join('\n'),
    );
  });

  it('prints one `call` line per entry and then the result with --json; --limit pages', async () => {
    seed();
    const run = await softphone(['history', '--data-dir', temp.path, '--json', '--limit', '2']);
    expect(run.code).toBe(0);
    const lines = run.lines();
    expect(lines.map((l) => [l.type, l.id])).toEqual([
      ['call', 'h3'],
      ['call', 'h2'],
      ['result', undefined],
    ]);
    expect(lines[0]).toEqual({
      type: 'call',
      id: 'h3',
      direction: 'incoming',
      accountId: null,
      remoteUri: 'sip:2000@pbx.example',
      remoteDisplayName: '',
      startedAt: at('2024-03-02T08:15:00Z'),
      answeredAt: at('2024-03-02T08:15:01Z'),
      endedAt: at('2024-03-02T09:17:06Z'),
      durationMs: 3_725_000,
      result: 'answered',
      completion: 'completed',
      sipCode: null,
      reason: null,
      codec: 'PCMA',
      mediaPath: 'direct',
      encryption: 'srtp',
      mos: null,
      seen: true,
      contact: { id: expect.any(String), name: 'Zentrale' },
    });
    expect(lines[2]).toEqual({ type: 'result', ok: true, value: { count: 2, more: true } });
    const human = await softphone(['history', '--data-dir', temp.path, '--limit', '1']);
    expect(human.stdout.split('\n').slice(-3)).toEqual([
      '',
      '(the newest 1 calls; use --limit N for more)',
      '',
    ]);
  });

  it('filters by kind and search', async () => {
    seed();
    const ids = async (...args: string[]) =>
      (await softphone(['history', '--data-dir', temp.path, '--json', ...args]))
        .lines()
        .filter((l) => l.type === 'call')
        .map((l) => l.id);
    expect(await ids('--missed')).toEqual(['h2']);
    expect(await ids('--outgoing')).toEqual(['h1']);
    expect(await ids('--incoming', '--search', 'zentr')).toEqual(['h3']);
    expect(await ids('--search', '+49 30')).toEqual(['h2']);
  });

  it('writes the CSV export to stdout with --csv', async () => {
    seed();
    const run = await softphone(['history', '--data-dir', temp.path, '--csv', '--missed']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'id,direction,account_id,remote_uri,remote_display_name,contact_name,started_at,answered_at,ended_at,duration_s,result,sip_code,reason,codec,media_path,mos,encryption\r\n' +
        'h2,incoming,,tel:+4930123456,Anna,,2024-03-01T10:30:00.000Z,,2024-03-01T10:30:20.000Z,0,missed,487,,,unknown,,none\r\n',
    );
    const all = await softphone(['history', '--data-dir', temp.path, '--csv']);
    expect(all.stdout.split('\r\n').map((l) => l.split(',')[0])).toEqual(['id', 'h3', 'h2', 'h1', '']);
  });

  it('refuses contradictory options with exit 2', async () => {
    for (const [args, message] of [
      [['--missed', '--outgoing'], '--missed, --incoming and --outgoing exclude each other'],
      [['--csv', '--json'], '--csv and --json exclude each other'],
      [['--csv', '--limit', '5'], '--limit does not apply to --csv (the export has every matching call)'],
      [['--limit', '0'], '--limit must be a number from 1 to 100000'],
      [['--limit', '2.5'], '--limit must be a whole number'],
    ] as const) {
      const run = await softphone(['history', '--data-dir', temp.path, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      const said = (args as readonly string[]).includes('--json')
        ? String(run.lines()[0]?.message).split('\n')[0]
        : run.stderr.split('\n')[0]?.replace(/^softphone: /, '');
      expect(said).toBe(message);
    }
  });

  it('fails with exit 1 and a plain message when another instance holds the data folder', async () => {
    const held = openTestStore(temp.path);
    try {
      const human = await softphone(['history', '--data-dir', temp.path]);
      expect(human.code).toBe(1);
      expect(human.stdout).toBe('');
      expect(human.stderr).toBe(
        `softphone: Another softphone (process ${process.pid}) is using the data folder ${temp.path}. ` +
          `Close it first, or use another data folder. (If no softphone is running, delete ${temp.path}/softphone.lock.)\n`,
      );
      const json = await softphone(['history', '--data-dir', temp.path, '--json']);
      expect(json.code).toBe(1);
      expect(json.lines()).toEqual([
        {
          type: 'error',
          ok: false,
          code: 'store-locked',
          message: expect.stringMatching(/^Another softphone/),
        },
      ]);
    } finally {
      held.close();
    }
  });
});

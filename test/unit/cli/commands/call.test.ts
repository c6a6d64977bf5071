/**
 * `softphone call` and `softphone answer` command lines: help, and the mistakes that end with exit 2
 * before anything touches the network (the calls themselves run against Kamailio and baresip in
 * test/interop/call).
 */
import { describe, expect, it } from 'vitest';
import { actionsOf, consultPlanOf } from '../../../../src-main/cli/commands/call.ts';
import { softphone } from './spawn.ts';

const ACCOUNT = ['--aor', 'sip:alice@127.0.0.1', '--password', 'x'];

describe('softphone call / answer command lines', () => {
  it('help lists the call options', async () => {
    const run = await softphone(['help', 'call', '--json']);
    expect(run.code).toBe(0);
    const help = (run.lines()[0] as { value: { command: { usage: string; options: { name: string }[] } } })
      .value;
    expect(help.command.usage).toMatch(/^softphone call TARGET --aor URI --password SECRET/);
    expect(help.command.options.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        '--aor',
        '--password',
        '--auth-user',
        '--proxy',
        '--transport',
        '--ca',
        '--tone',
        '--play',
        '--record',
        '--duration',
        '--dtmf',
        '--hold-at',
        '--resume-at',
        '--transfer-to',
        '--transfer-at',
        '--consult',
        '--consult-at',
        '--json',
      ]),
    );
    expect(help.command.usage).toContain(
      '[--transfer-to URI | --consult URI [--consult-at S]] [--transfer-at S]',
    );
    const answer = await softphone(['help', 'answer', '--json']);
    expect(
      (
        answer.lines()[0] as { value: { command: { options: { name: string }[] } } }
      ).value.command.options.map((o) => o.name),
    ).toEqual(
      expect.arrayContaining([
        '--aor',
        '--password',
        '--tone',
        '--play',
        '--record',
        '--duration',
        '--ring',
        '--wait',
        '--waiting',
      ]),
    );
  });

  it.each([
    [['call', ...ACCOUNT], 'give the address to call'],
    [['call', 'sip:bob@127.0.0.1'], '--aor is required'],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--tone', '440', '--play', 'x.wav'],
      '--tone and --play exclude each other',
    ],
    [['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--tone', '9000'], '--tone must be a number from 20 to 7900'],
    [['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--resume-at', '3'], '--resume-at needs --hold-at'],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--hold-at', '3', '--resume-at', '2'],
      '--resume-at must come after --hold-at',
    ],
    [['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--dtmf', '12x'], '--dtmf takes 0-9, *, #, A-D'],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--dtmf-mode', 'sms'],
      '--dtmf-mode must be auto, rfc4733 or info',
    ],
    [['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--rtp-ports', '9-3'], '--rtp-ports must be MIN-MAX'],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--consult', 'sip:carol@x', '--transfer-to', 'sip:carol@x'],
      '--consult and --transfer-to exclude each other: --consult URI is an attended transfer (call URI, then transfer to it), --transfer-to URI a blind one',
    ],
    [['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--consult-at', '2'], '--consult-at needs --consult'],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--transfer-at', '2'],
      '--transfer-at needs --transfer-to or --consult',
    ],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--consult', 'sip:carol@x', '--consult-at', 'soon'],
      '--consult-at must be a number from 0 to 86400',
    ],
    [
      ['call', 'sip:bob@127.0.0.1', ...ACCOUNT, '--consult', 'sip:carol <x>'],
      '--consult "sip:carol <x>": expected a SIP address or number',
    ],
    [['answer', ...ACCOUNT, '--waiting', 'maybe'], '--waiting must be reject or answer'],
    [['answer', ...ACCOUNT, 'extra'], "Unexpected argument 'extra'"],
  ])('%j → exit 2 (%s)', async (args, message) => {
    const run = await softphone([...args, '--json']);
    expect(run.code).toBe(2);
    expect(run.lines().at(-1)).toMatchObject({ type: 'error', code: 'usage' });
    expect(String(run.lines().at(-1)?.message)).toContain(message);
  });
});

describe('--consult (attended transfer)', () => {
  it('dials the consultation call 1 s after the answer and transfers 1 s after its answer by default', () => {
    expect(consultPlanOf({ consult: 'sip:carol@lab.test' })).toEqual({
      target: 'sip:carol@lab.test',
      atMs: 1000,
      transferAtMs: 1000,
    });
    expect(consultPlanOf({ consult: '2002', 'consult-at': '2.5', 'transfer-at': '0' })).toEqual({
      target: '2002',
      atMs: 2500,
      transferAtMs: 0,
    });
    expect(consultPlanOf({})).toBeUndefined();
  });

  it('--transfer-at goes to the attended transfer, not to a blind one', () => {
    expect(actionsOf({ consult: 'sip:carol@lab.test', 'transfer-at': '3' })).toEqual([]);
    expect(actionsOf({ 'transfer-to': 'sip:carol@lab.test', 'transfer-at': '3' })).toMatchObject([
      { atMs: 3000, what: 'transfer to sip:carol@lab.test' },
    ]);
  });
});

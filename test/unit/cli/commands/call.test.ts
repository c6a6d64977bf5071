/**
 * `softphone call` and `softphone answer` command lines: help, and the mistakes that end with exit 2
 * before anything touches the network (the calls themselves run against Kamailio and baresip in
 * test/interop/call).
 */
import { describe, expect, it } from 'vitest';
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
        '--json',
      ]),
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
    [['answer', ...ACCOUNT, '--waiting', 'maybe'], '--waiting must be reject or answer'],
    [['answer', ...ACCOUNT, 'extra'], "Unexpected argument 'extra'"],
  ])('%j → exit 2 (%s)', async (args, message) => {
    const run = await softphone([...args, '--json']);
    expect(run.code).toBe(2);
    expect(run.lines().at(-1)).toMatchObject({ type: 'error', code: 'usage' });
    expect(String(run.lines().at(-1)?.message)).toContain(message);
  });
});

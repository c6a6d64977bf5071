/**
 * `softphone answer`: register an account (in memory), wait for one incoming call, answer it (after
 * `--ring` seconds), play a tone or a WAV file into it, record what we hear, and hang up after
 * `--duration` (or when the caller does). Calls that arrive while one is up are refused with 486, or
 * with `--waiting answer` taken as well (call waiting: answering the second holds the first).
 *
 * Transfers keep the run going until their calls end too (each hung up `--duration` after its own answer):
 * when the caller transfers us (REFER), the phone calls the transfer target by itself; when we are the
 * target of an attended transfer, the INVITE with Replaces is accepted by itself and the call it replaces
 * ends as `replaced`. `--record FILE.wav` records the first call to FILE.wav and each further call to
 * FILE-2.wav, FILE-3.wav…; a `{"type":"recording","callId":…,"path":…}` line names each file.
 *
 * NAT traversal as for `call` (--ice/--no-ice, --stun, --turn…, --relay-only): an ICE offer is answered
 * with ICE, an offer without ICE with plain RTP.
 *
 * With --json every change of the call is a line `{"type":"call",…}`. Exit 0 when the call was answered
 * and ended normally, 1 otherwise (no call within --wait, the caller gave up, a failure), 2 for a wrong
 * command line.
 */
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand } from '../command.ts';
import { ACCOUNT_AND_AUDIO_OPTIONS, audioPlanOf, callAccountPlanOf } from './call.ts';

export const answerCommand: CliCommand = {
  name: 'answer',
  summary:
    'Wait for one incoming call, answer it, send a tone or a WAV file, record what comes back, hang up after --duration.',
  usage:
    'softphone answer --aor URI --password SECRET [--proxy URI] [--transport udp|tcp|tls] [--tone HZ | --play FILE.wav] [--record FILE.wav] [--duration S] [--ring S] [--wait S] [--waiting reject|answer] [--ice | --no-ice] [--stun HOST:PORT] [--turn URI --turn-user U --turn-password P] [--relay-only] [--srtp off|optional|required] [--json]',
  options: {
    ...ACCOUNT_AND_AUDIO_OPTIONS,
    ring: {
      type: 'string',
      value: 'S',
      description: 'Let it ring this many seconds before answering (default 0).',
    },
    wait: {
      type: 'string',
      value: 'S',
      description: 'Give up when no call came within this many seconds (default: wait until Ctrl-C).',
    },
    waiting: {
      type: 'string',
      value: 'reject|answer',
      description:
        'A second call during the first: reject it with 486 (default), or answer it too (call waiting: the first goes on hold).',
    },
  },
  async run(args, ctx) {
    const plan = callAccountPlanOf(args.values, ctx.env);
    const audio = audioPlanOf(args.values);
    const waiting = stringOption(args.values, 'waiting') ?? 'reject';
    if (waiting !== 'reject' && waiting !== 'answer')
      throw new UsageError('--waiting must be reject or answer');
    const timing = {
      durationS: numberOption(args.values, 'duration', 0, 86_400),
      ringS: numberOption(args.values, 'ring', 0, 600) ?? 0,
      waitS: numberOption(args.values, 'wait', 0, 86_400),
      maxCalls: waiting === 'answer' ? 2 : 1,
    };
    const { runAnswer } = await import('./answer-run.ts');
    return runAnswer(plan, audio, timing, ctx);
  },
};

/**
 * `softphone answer`: register an account (in memory), wait for one incoming call, answer it (after
 * `--ring` seconds), play a tone or a WAV file into it, record what we hear, and hang up after
 * `--duration` (or when the caller does). Calls that arrive while one is up are refused with 486, or
 * with `--waiting answer` taken as well (call waiting: answering the second holds the first).
 *
 * NAT traversal as for `call` (--ice/--no-ice, --stun, --turn…, --relay-only): an ICE offer is answered
 * with ICE, an offer without ICE with plain RTP.
 *
 * With --json every change of the call is a line `{"type":"call",…}`. Exit 0 when the call was answered
 * and ended normally, 1 otherwise (no call within --wait, the caller gave up, a failure), 2 for a wrong
 * command line.
 */
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import { NodeClock } from '../../platform/index.ts';
import type { Timer } from '../../platform/index.ts';
import type { Phone } from '../../phone/index.ts';
import { EXIT_FAILED, UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import type { RegisterPlan } from './register.ts';
import {
  ACCOUNT_AND_AUDIO_OPTIONS,
  audioPlanOf,
  callAccountPlanOf,
  finish,
  printCalls,
  registerAccount,
  startCliPhone,
} from './call.ts';

export const answerCommand: CliCommand = {
  name: 'answer',
  summary:
    'Wait for one incoming call, answer it, send a tone or a WAV file, record what comes back, hang up after --duration.',
  usage:
    'softphone answer --aor URI --password SECRET [--proxy URI] [--transport udp|tcp|tls] [--tone HZ | --play FILE.wav] [--record FILE.wav] [--duration S] [--ring S] [--wait S] [--waiting reject|answer] [--ice | --no-ice] [--stun HOST:PORT] [--turn URI --turn-user U --turn-password P] [--relay-only] [--json]',
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
    const phone = startCliPhone(plan, audio, ctx);
    try {
      return await takeCalls(phone, plan, timing, ctx);
    } finally {
      await phone.close();
    }
  },
};

async function takeCalls(
  phone: Phone,
  plan: RegisterPlan,
  timing: { durationS: number | undefined; ringS: number; waitS: number | undefined; maxCalls: number },
  ctx: CliContext,
): Promise<number> {
  const client = new CliPhoneClient(phone);
  const clock = new NodeClock();
  const registered = await registerAccount(phone, client, plan, clock);
  if (!registered.ok) {
    ctx.out.error('registration-failed', registered.message);
    return EXIT_FAILED;
  }
  ctx.out.info(`Registered ${plan.account.aor}; waiting for a call\u2026`);
  ctx.out.event('ready', { aor: plan.account.aor });
  /** The calls we take, with their last snapshot. */
  const taken = new Map<string, { answered: boolean; final: CallSnapshot | undefined }>();
  let stop: 'ended' | 'no-call' | 'interrupted' | undefined;
  const timers: Timer[] = [];
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => (wake = resolve));
  const allOver = (): boolean => taken.size > 0 && [...taken.values()].every((c) => c.final !== undefined);
  const printing = printCalls(phone, ctx, (call) => {
    let mine = taken.get(call.id);
    if (mine === undefined) {
      if (call.direction !== 'incoming' || call.state !== 'ringing') return;
      const upNow = [...taken.values()].some((c) => c.final === undefined);
      if (taken.size >= timing.maxCalls || (upNow && timing.maxCalls === 1)) {
        // One call at a time (or the waiting slot is used): a further caller hears busy.
        void client.call('calls.reject', { callId: call.id, reason: 'busy' });
        return;
      }
      mine = { answered: false, final: undefined };
      taken.set(call.id, mine);
      timers.push(
        clock.setTimer(timing.ringS * 1000, () => void client.call('calls.answer', { callId: call.id })),
      );
      return;
    }
    if (!mine.answered && call.answeredAt !== null) {
      mine.answered = true;
      if (timing.durationS !== undefined)
        timers.push(
          clock.setTimer(
            timing.durationS * 1000,
            () => void client.call('calls.hangup', { callId: call.id }),
          ),
        );
    }
    if (call.state === 'ended') {
      mine.final = call;
      if (allOver()) {
        stop ??= 'ended';
        wake();
      }
    }
  });
  if (timing.waitS !== undefined) {
    timers.push(
      clock.setTimer(timing.waitS * 1000, () => {
        if (taken.size > 0) return;
        stop ??= 'no-call';
        wake();
      }),
    );
  }
  void ctx.interrupted.then(() => {
    const up = [...taken.entries()].filter(([, c]) => c.final === undefined);
    if (up.length > 0) for (const [callId] of up) void client.call('calls.hangup', { callId });
    else {
      stop ??= 'interrupted';
      wake();
    }
  });
  try {
    await done;
    if (taken.size === 0) {
      ctx.out.error(
        'no-call',
        stop === 'no-call' ? `No call came within ${timing.waitS ?? 0} s.` : 'Stopped before a call came.',
      );
      return EXIT_FAILED;
    }
    // Every call we took must have gone well; the last line reports the first one that did not.
    const finals = [...taken.values()].map((c) => c.final);
    const bad = finals.find(
      (f) =>
        f === undefined ||
        f.answeredAt === null ||
        !['local-hangup', 'remote-hangup', 'transferred', 'replaced'].includes(f.reason?.kind ?? ''),
    );
    return finish(bad ?? finals[0], ctx);
  } finally {
    for (const t of timers) t.cancel();
    printing.dispose();
  }
}

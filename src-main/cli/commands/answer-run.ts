/**
 * What `softphone answer` does once its command line is understood (loaded when it runs): register,
 * wait for calls, answer (the second too with call waiting), hang up after the duration; the exit code.
 *
 * The calls of a transfer are ours too, and the run lasts until they end:
 *  - the caller transfers us (REFER, RFC 3515): the phone calls the target by itself — that outgoing
 *    call (with Replaces for an attended transfer) is followed like an answered one;
 *  - we are the target of an attended transfer (INVITE with Replaces, RFC 3891): the phone accepts the
 *    new call by itself and ends the call it replaces (`replaced`) — it is neither answered by us nor
 *    refused as a second call.
 */
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import { NodeClock } from '../../platform/index.ts';
import type { Timer } from '../../platform/index.ts';
import type { Phone } from '../../phone/index.ts';
import { EXIT_FAILED } from '../command.ts';
import type { CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import type { RegisterPlan } from './register.ts';
import type { CallAudioPlan, CallPlan } from './call.ts';
import { finish, printCalls, registerAccount, startCliPhone } from './call-run.ts';

/** When to answer, hang up and give up, and how many calls to take (2 with call waiting). */
export interface AnswerTiming {
  readonly durationS: number | undefined;
  readonly ringS: number;
  readonly waitS: number | undefined;
  readonly maxCalls: number;
}

export async function runAnswer(
  plan: CallPlan,
  audio: CallAudioPlan,
  timing: AnswerTiming,
  ctx: CliContext,
): Promise<number> {
  const phone = startCliPhone(plan, audio, ctx);
  try {
    return await takeCalls(phone, plan, timing, ctx);
  } finally {
    await phone.close();
  }
}

async function takeCalls(
  phone: Phone,
  plan: RegisterPlan,
  timing: AnswerTiming,
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
  /** The calls we take (and those of transfers), with their last snapshot. */
  const taken = new Map<string, { answered: boolean; final: CallSnapshot | undefined }>();
  /** Incoming calls we chose to answer (at most maxCalls). */
  let answering = 0;
  let stop: 'ended' | 'no-call' | 'interrupted' | undefined;
  const timers: Timer[] = [];
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => (wake = resolve));
  const allOver = (): boolean => taken.size > 0 && [...taken.values()].every((c) => c.final !== undefined);
  const printing = printCalls(phone, ctx, (call) => {
    let mine = taken.get(call.id);
    if (mine === undefined) {
      if (call.direction === 'outgoing' || call.replaces !== undefined) {
        // A call of a transfer, placed or accepted by the phone itself: follow it to its end.
        ctx.out.info(
          call.direction === 'outgoing'
            ? `Transferred: calling ${call.remote.uri}\u2026`
            : `${call.remote.uri} takes over call ${call.replaces ?? '?'} (attended transfer)`,
        );
        mine = { answered: false, final: undefined };
        taken.set(call.id, mine);
      } else {
        if (call.state !== 'ringing') return;
        const upNow = [...taken.values()].some((c) => c.final === undefined);
        if (answering >= timing.maxCalls || (upNow && timing.maxCalls === 1)) {
          // One call at a time (or the waiting slot is used): a further caller hears busy.
          void client.call('calls.reject', { callId: call.id, reason: 'busy' });
          return;
        }
        answering++;
        taken.set(call.id, { answered: false, final: undefined });
        timers.push(
          clock.setTimer(timing.ringS * 1000, () => void client.call('calls.answer', { callId: call.id })),
        );
        return;
      }
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

/**
 * What `softphone call` does once its command line is understood (loaded when it runs), and the pieces
 * `softphone answer` shares: a phone in memory with the command line's audio and ICE options, the
 * account registered, every snapshot of the call printed, the exit code from how it ended.
 */
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import type { AccountSnapshot } from '../../../src-shared/model/account.ts';
import { createNodePhone, fileAudioProvider } from '../../phone/index.ts';
import type { Phone } from '../../phone/index.ts';
import { NodeClock } from '../../platform/index.ts';
import type { Timer } from '../../platform/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../command.ts';
import type { CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import { failureMessage } from './register.ts';
import type { RegisterPlan } from './register.ts';
import type { CallAudioPlan, CallPlan, ScheduledAction } from './call.ts';

/** How long to wait for the account to register before giving up. */
const REGISTER_WAIT_MS = 15_000;

/** One outgoing call as the command line describes it. */
export interface CallRequest {
  readonly plan: CallPlan;
  readonly audio: CallAudioPlan;
  readonly target: string;
  readonly durationS: number | undefined;
  readonly actions: readonly ScheduledAction[];
}

/** Register, call the target, run the scripted actions, hang up after the duration; the exit code. */
export async function runCall(request: CallRequest, ctx: CliContext): Promise<number> {
  const phone = startCliPhone(request.plan, request.audio, ctx);
  try {
    return await placeCall(phone, request, ctx);
  } finally {
    await phone.close();
  }
}

/** Is the registrar (or proxy) on this machine? Then ICE offers loopback host candidates too. */
function onLoopback(plan: RegisterPlan): boolean {
  const target = plan.account.outboundProxy ?? `sip:${plan.account.domain}`;
  const host = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;?]+)/i.exec(target)?.[1] ?? '';
  return /^127\./.test(host) || host === '[::1]' || host.toLowerCase() === 'localhost';
}

/** Start a phone for one CLI call: in memory, with the command line's audio and ICE options. */
export function startCliPhone(plan: CallPlan, audio: CallAudioPlan, ctx: CliContext): Phone {
  const loopback = onLoopback(plan);
  const phone = createNodePhone({
    host: 'cli',
    storage: 'none',
    sip: { tlsCa: plan.tlsCa, ...(plan.retryBaseMs !== undefined && { retryBaseMs: plan.retryBaseMs }) },
    ...((plan.relayOnly || loopback) && {
      ice: {
        ...(plan.relayOnly && { relayOnly: true }),
        ...(loopback && { agent: { includeLoopback: true } }),
      },
    }),
  });
  // SOFTPHONE_LOG=debug|info|warn: the phone's own log as `log` lines (ICE and SIP decisions, for diagnosis).
  const levels = ['debug', 'info', 'warn', 'error'];
  const threshold = levels.indexOf(ctx.env.SOFTPHONE_LOG ?? '');
  if (threshold >= 0) {
    phone.log.entries.on((entry) => {
      if (levels.indexOf(entry.level) >= threshold)
        ctx.out.event(
          'log',
          { level: entry.level, scope: entry.scope, message: entry.message },
          `[${entry.scope}] ${entry.message}`,
        );
    });
  }
  // Ports at the codec's rate (8 kHz G.711, 16 kHz G.722): nothing is resampled on the way, and the
  // recording holds all the codec carried.
  phone.calls.useAudio(fileAudioProvider(audio, (message) => ctx.out.info(`warning: ${message}`)));
  return phone;
}

/** Add the account and wait until it is registered; a failure message otherwise. */
export async function registerAccount(
  phone: Phone,
  client: CliPhoneClient,
  plan: RegisterPlan,
  clock: NodeClock,
): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const added = await client.call('accounts.add', plan.account);
  if (!added.ok) return { ok: false, message: added.error.message };
  const id = added.value.id;
  let done: (r: { ok: true; id: string } | { ok: false; message: string }) => void = () => {};
  const finished = new Promise<{ ok: true; id: string } | { ok: false; message: string }>(
    (resolve) => (done = resolve),
  );
  const check = (account: AccountSnapshot | undefined): void => {
    const registration = account?.registration;
    if (registration?.state === 'registered') done({ ok: true, id });
    else if (registration?.state === 'failed') done({ ok: false, message: failureMessage(registration) });
  };
  const subscription = phone.events.on((e) => {
    if (e.name === 'accounts.changed') check(e.payload.find((a) => a.id === id));
  });
  const timer = clock.setTimer(REGISTER_WAIT_MS, () =>
    done({
      ok: false,
      message: `${plan.account.aor} was not registered within ${REGISTER_WAIT_MS / 1000} s`,
    }),
  );
  check(added.value);
  try {
    return await finished;
  } finally {
    subscription.dispose();
    timer.cancel();
  }
}

/** One line for people. */
export function describeCall(call: CallSnapshot): string {
  const who =
    call.remote.displayName !== undefined
      ? `${call.remote.displayName} <${call.remote.uri}>`
      : call.remote.uri;
  switch (call.state) {
    case 'dialing':
      return `Calling ${who}\u2026`;
    case 'ringing':
      return call.direction === 'incoming' ? `${who} is calling` : `${who} is ringing`;
    case 'early':
      return `Early media from ${who}`;
    case 'active':
      return `Talking with ${who} (${call.codec ?? '?'}, ${describeMedia(call)})`;
    case 'held':
      return `On hold: ${who}`;
    case 'remote-held':
      return `${who} put us on hold`;
    case 'ended':
      return `Call with ${who} ended: ${call.reason?.text ?? 'ended'}${call.sipCode !== null ? ` (${call.sipCode})` : ''}`;
  }
}

/** Where the audio goes, in words: `direct media 10.0.0.2:4000 ↔ …` or the ICE pair and how it is relayed. */
function describeMedia(call: CallSnapshot): string {
  const media = call.media;
  const pair = media.ice?.selected;
  const mos =
    call.stats.mos !== null && call.stats.mos !== undefined ? `, MOS ${call.stats.mos.toFixed(2)}` : '';
  if (pair === undefined || pair === null) {
    const how =
      media.transport === 'ice'
        ? `ICE ${media.ice?.state ?? ''}`.trim()
        : media.transport === 'plain'
          ? 'plain RTP'
          : 'media';
    return `${how} ${media.local ?? '?'} \u2194 ${media.remote ?? '?'}${mos}`;
  }
  const relay = pair.local.type === 'relay' ? ` through our TURN relay (${pair.transport})` : '';
  return `${media.path} ICE ${pair.local.type} ${pair.local.address} \u2194 ${pair.remote.type} ${pair.remote.address}${relay}${mos}`;
}

/** Print every snapshot of every call (one JSON line each). */
export function printCalls(
  phone: Phone,
  ctx: CliContext,
  onSnapshot: (call: CallSnapshot) => void,
): { dispose(): void } {
  let last = '';
  return phone.events.on((e) => {
    if (e.name !== 'calls.changed') return;
    const text = JSON.stringify(e.payload);
    if (text !== last) {
      last = text;
      ctx.out.event('call', e.payload, describeCall(e.payload));
    }
    onSnapshot(e.payload);
  });
}

/** Exit code and final line for a call that ended. */
export function finish(call: CallSnapshot | undefined, ctx: CliContext): number {
  if (call === undefined) {
    ctx.out.error('call-failed', 'No call took place.');
    return EXIT_FAILED;
  }
  const reason = call.reason;
  const normal =
    call.answeredAt !== null &&
    reason !== null &&
    ['local-hangup', 'remote-hangup', 'transferred', 'replaced'].includes(reason.kind);
  if (!normal) {
    const text =
      reason === null
        ? 'the call did not end normally'
        : `${reason.text}${call.sipCode !== null && !reason.text.startsWith(String(call.sipCode)) ? ` (${call.sipCode})` : ''}`;
    ctx.out.error(
      'call-failed',
      call.answeredAt === null ? `The call was not answered: ${text}` : `The call ended abnormally: ${text}`,
    );
    return EXIT_FAILED;
  }
  const talkMs = call.endedAt !== null && call.answeredAt !== null ? call.endedAt - call.answeredAt : 0;
  ctx.out.result(
    {
      id: call.id,
      answered: true,
      reason: reason.kind,
      durationMs: talkMs,
      codec: call.codec,
      stats: call.stats,
      media: call.media,
      dtmfReceived: call.dtmfReceived,
    },
    `Call ended after ${(talkMs / 1000).toFixed(1)} s (${reason.text}).`,
  );
  return EXIT_OK;
}

async function placeCall(phone: Phone, request: CallRequest, ctx: CliContext): Promise<number> {
  const { plan, target, durationS, actions } = request;
  const client = new CliPhoneClient(phone);
  const clock = new NodeClock();
  const registered = await registerAccount(phone, client, plan, clock);
  if (!registered.ok) {
    ctx.out.error('registration-failed', registered.message);
    return EXIT_FAILED;
  }
  let callId: string | undefined;
  let final: CallSnapshot | undefined;
  let answered = false;
  const timers: Timer[] = [];
  let wake: () => void = () => {};
  const ended = new Promise<void>((resolve) => (wake = resolve));
  const onAnswer = (id: string): void => {
    for (const action of actions) {
      timers.push(
        clock.setTimer(action.atMs, () => {
          void action.run(client, id).then((r) => {
            const result = r as { ok: boolean; error?: { message: string } };
            if (!result.ok) ctx.out.info(`${action.what} failed: ${result.error?.message ?? '?'}`);
          });
        }),
      );
    }
    if (durationS !== undefined)
      timers.push(clock.setTimer(durationS * 1000, () => void client.call('calls.hangup', { callId: id })));
  };
  const printing = printCalls(phone, ctx, (call) => {
    if (call.id !== callId) return;
    if (!answered && call.answeredAt !== null) {
      answered = true;
      onAnswer(call.id);
    }
    if (call.state === 'ended') {
      final = call;
      wake();
    }
  });
  try {
    const dialled = await client.call('calls.dial', { target, accountId: registered.id });
    if (!dialled.ok) {
      ctx.out.error(dialled.error.code, dialled.error.message);
      return EXIT_FAILED;
    }
    callId = dialled.value.id;
    if (dialled.value.state === 'ended') final = dialled.value;
    else {
      void ctx.interrupted.then(() => void client.call('calls.hangup', { callId: callId ?? '' }));
      await ended;
    }
    return finish(final, ctx);
  } finally {
    for (const t of timers) t.cancel();
    printing.dispose();
  }
}

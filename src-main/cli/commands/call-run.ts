/**
 * What `softphone call` does once its command line is understood (loaded when it runs), and the pieces
 * `softphone answer` shares: a phone in memory with the command line's audio and ICE options, the
 * account registered, every snapshot of the call printed, the exit code from how it ended. With
 * `--consult`, the attended transfer script (`AttendedTransferRun`) drives the consultation call and the
 * REFER with Replaces, and decides the outcome.
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
import type { CallAudioPlan, CallPlan, ConsultPlan, ScheduledAction } from './call.ts';

/** How long to wait for the account to register before giving up. */
const REGISTER_WAIT_MS = 15_000;

/** One outgoing call as the command line describes it. */
export interface CallRequest {
  readonly plan: CallPlan;
  readonly audio: CallAudioPlan;
  readonly target: string;
  readonly durationS: number | undefined;
  readonly actions: readonly ScheduledAction[];
  /** `--consult`: transfer the call, attended, to a consultation call. */
  readonly consult?: ConsultPlan | undefined;
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
  phone.calls.useAudio(
    fileAudioProvider(
      audio,
      (message) => ctx.out.info(`warning: ${message}`),
      (callId, path) => ctx.out.event('recording', { callId, path }, `Recording call ${callId} to ${path}`),
    ),
  );
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

/** Exit code and final line for a call that ended (`extra`: more fields of the result). */
export function finish(
  call: CallSnapshot | undefined,
  ctx: CliContext,
  extra: Record<string, unknown> = {},
): number {
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
      ...extra,
    },
    `Call ended after ${(talkMs / 1000).toFixed(1)} s (${reason.text}).`,
  );
  return EXIT_OK;
}

async function placeCall(phone: Phone, request: CallRequest, ctx: CliContext): Promise<number> {
  const { plan, target, durationS, actions, consult } = request;
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
  const later = (ms: number, run: () => void): void => void timers.push(clock.setTimer(ms, run));
  /** --duration: each call is hung up that long after its own answer. */
  const hangUpInTime = (id: string): void => {
    if (durationS !== undefined)
      later(durationS * 1000, () => void client.call('calls.hangup', { callId: id }));
  };
  let wake: () => void = () => {};
  const ended = new Promise<void>((resolve) => (wake = resolve));
  const attended =
    consult === undefined
      ? undefined
      : new AttendedTransferRun({
          plan: consult,
          client,
          ctx,
          accountId: registered.id,
          later,
          consultationAnswered: hangUpInTime,
          over: () => {
            if (final !== undefined) wake();
          },
        });
  const onAnswer = (id: string): void => {
    for (const action of actions) {
      later(action.atMs, () => {
        void action.run(client, id).then((r) => {
          const result = r as { ok: boolean; error?: { message: string } };
          if (!result.ok) ctx.out.info(`${action.what} failed: ${result.error?.message ?? '?'}`);
        });
      });
    }
    hangUpInTime(id);
    attended?.firstAnswered();
  };
  const printing = printCalls(phone, ctx, (call) => {
    attended?.seen(call);
    if (call.id !== callId) return;
    if (!answered && call.answeredAt !== null) {
      answered = true;
      onAnswer(call.id);
    }
    if (call.state === 'ended') {
      final = call;
      if (attended === undefined || attended.over) wake();
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
      void ctx.interrupted.then(() => {
        void client.call('calls.hangup', { callId: callId ?? '' });
        attended?.interrupted();
      });
      await ended;
    }
    if (attended === undefined || final?.answeredAt === null || final === undefined)
      return finish(final, ctx);
    const failure = attended.failure;
    if (failure !== undefined) {
      ctx.out.error('transfer-failed', `The attended transfer did not complete: ${failure}.`);
      return EXIT_FAILED;
    }
    return finish(final, ctx, { consultation: attended.consultationResult() });
  } finally {
    for (const t of timers) t.cancel();
    printing.dispose();
  }
}

/**
 * `--consult`: the attended transfer of our first call (RFC 5589 §7) as a script over the phone API.
 *
 *   first call answered ──consult-at──▶ calls.dial URI (the phone holds the first call)
 *   consultation answered ──transfer-at──▶ calls.transfer {callId: first, replacesCallId: consultation}
 *   first call ends `transferred` (NOTIFY 200) · consultation ends `transferred` (the target's BYE)
 *
 * Anything else — the consultation call not answered or ending first, the transfer refused or failed,
 * the first call ending first — is the failure (the first reason is kept), and what is still up is
 * hung up. The run is over when the first call ended and the consultation call (if placed) too.
 */
class AttendedTransferRun {
  readonly #plan: ConsultPlan;
  readonly #client: CliPhoneClient;
  readonly #ctx: CliContext;
  readonly #accountId: string;
  readonly #later: (ms: number, run: () => void) => void;
  readonly #consultationAnswered: (callId: string) => void;
  readonly #over: () => void;
  #first: CallSnapshot | undefined;
  #consultation: CallSnapshot | undefined;
  /** The consultation call is being placed or was placed (`calls.dial` sent). */
  #dialled = false;
  /** `calls.dial` answered (with the call, or an error). */
  #dialDone = false;
  #transferRequested = false;
  #failure: string | undefined;

  constructor(options: {
    plan: ConsultPlan;
    client: CliPhoneClient;
    ctx: CliContext;
    accountId: string;
    later: (ms: number, run: () => void) => void;
    consultationAnswered: (callId: string) => void;
    over: () => void;
  }) {
    this.#plan = options.plan;
    this.#client = options.client;
    this.#ctx = options.ctx;
    this.#accountId = options.accountId;
    this.#later = options.later;
    this.#consultationAnswered = options.consultationAnswered;
    this.#over = options.over;
  }

  /** Why the attended transfer did not complete; undefined when it did (or is still under way). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The first call ended, and the consultation call too (when there was one). */
  get over(): boolean {
    const first = this.#first?.state === 'ended';
    if (!this.#dialled) return first;
    return (
      first && this.#dialDone && (this.#consultation === undefined || this.#consultation.state === 'ended')
    );
  }

  /** The first call was answered: the consultation call goes out `--consult-at` later. */
  firstAnswered(): void {
    this.#later(this.#plan.atMs, () => void this.#dialConsultation());
  }

  /** Ctrl-C: the calls are hung up; that is not a transfer. */
  interrupted(): void {
    this.#fail('interrupted');
  }

  /** Every snapshot of every call of the run. */
  seen(call: CallSnapshot): void {
    // The first call is the first one the phone shows (the consultation call comes after its answer).
    if (this.#first === undefined || call.id === this.#first.id) this.#firstChanged(call);
    else if (this.#dialled && (this.#consultation === undefined || call.id === this.#consultation.id))
      this.#consultationChanged(call);
    if (this.over) this.#over();
  }

  /** The consultation call as the result reports it. */
  consultationResult(): Record<string, unknown> | null {
    const c = this.#consultation;
    if (c === undefined) return null;
    return {
      id: c.id,
      target: this.#plan.target,
      reason: c.reason?.kind ?? null,
      durationMs: c.endedAt !== null && c.answeredAt !== null ? c.endedAt - c.answeredAt : 0,
      codec: c.codec,
      stats: c.stats,
      media: c.media,
    };
  }

  async #dialConsultation(): Promise<void> {
    if (this.#first?.state === 'ended' || this.#failure !== undefined) return;
    this.#dialled = true;
    this.#ctx.out.info(`Calling ${this.#plan.target} to consult (the first call goes on hold)\u2026`);
    const dialled = await this.#client.call('calls.dial', {
      target: this.#plan.target,
      accountId: this.#accountId,
    });
    this.#dialDone = true;
    if (!dialled.ok) {
      this.#fail(
        `the consultation call to ${this.#plan.target} could not be placed: ${dialled.error.message}`,
      );
    } else {
      // Its snapshots may have come already (printed as they came); this one is no newer.
      if (this.#consultation === undefined) this.#consultationChanged(dialled.value);
      if (this.#failure !== undefined && dialled.value.state !== 'ended') this.#hangUp(dialled.value.id);
    }
    if (this.over) this.#over();
  }

  #firstChanged(call: CallSnapshot): void {
    this.#first = call;
    if (call.transfer?.state === 'failed')
      this.#fail(`the transfer failed${call.transfer.sipCode !== null ? ` (${call.transfer.sipCode})` : ''}`);
    if (call.state === 'ended' && call.reason?.kind !== 'transferred' && call.answeredAt !== null)
      this.#fail(`the first call ended before the transfer: ${call.reason?.text ?? 'ended'}`);
  }

  #consultationChanged(call: CallSnapshot): void {
    const before = this.#consultation;
    if (before !== undefined && before.id !== call.id) return;
    this.#consultation = call;
    if ((before === undefined || before.answeredAt === null) && call.answeredAt !== null) {
      this.#consultationAnswered(call.id);
      this.#later(this.#plan.transferAtMs, () => void this.#transfer());
    }
    if (call.state === 'ended' && call.reason?.kind !== 'transferred') {
      const why = `${call.reason?.text ?? 'ended'}${call.sipCode !== null && !(call.reason?.text ?? '').startsWith(String(call.sipCode)) ? ` (${call.sipCode})` : ''}`;
      this.#fail(
        call.answeredAt === null
          ? `the consultation call to ${this.#plan.target} was not answered: ${why}`
          : `the consultation call ended before the transfer: ${why}`,
      );
    }
  }

  async #transfer(): Promise<void> {
    const first = this.#first;
    const consultation = this.#consultation;
    if (first === undefined || consultation === undefined || this.#failure !== undefined) return;
    if (first.state === 'ended' || consultation.state === 'ended' || this.#transferRequested) return;
    this.#transferRequested = true;
    this.#ctx.out.info(`Transferring ${first.remote.uri} to ${consultation.remote.uri} (attended)\u2026`);
    const sent = await this.#client.call('calls.transfer', {
      callId: first.id,
      replacesCallId: consultation.id,
    });
    if (!sent.ok) this.#fail(`the transfer could not be started: ${sent.error.message}`);
  }

  /** The attended transfer cannot complete: keep the first reason, hang up what is still up. */
  #fail(why: string): void {
    this.#failure ??= why;
    for (const call of [this.#first, this.#consultation])
      if (call !== undefined && call.state !== 'ended') this.#hangUp(call.id);
  }

  #hangUp(callId: string): void {
    void this.#client.call('calls.hangup', { callId });
  }
}

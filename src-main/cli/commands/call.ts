/**
 * `softphone call TARGET`: register an account (in memory, as `register` does), call TARGET, play a tone
 * or a WAV file into the call, record what we hear, and hang up after `--duration`. Scripted actions
 * run at times counted from the answer: `--dtmf`, `--hold-at`/`--resume-at`, `--transfer-to`.
 *
 * With --json every change of the call is one line `{"type":"call","state":…,"reason":…,…}` (the
 * CallSnapshot of the phone API: `media` says whether the audio is direct or relayed and, with ICE, the
 * selected candidate pair; `stats.mos` the E-model estimate), then `{"type":"result",…}`.
 *
 * NAT traversal: ICE is offered by default (`auto`: plain RTP when the far end does not do ICE);
 * `--no-ice` turns it off, `--stun HOST:PORT` and `--turn URI --turn-user U --turn-password P` give the
 * servers (the password also from SOFTPHONE_TURN_PASSWORD), `--relay-only` gathers relayed candidates only.
 * SOFTPHONE_LOG=debug (or info, warn) adds the phone's log as `log` lines. Exit 0 when the call was answered and
 * ended normally (hang-up by either side, a completed transfer), 1 otherwise with the reason in words,
 * 2 for a wrong command line.
 *
 * The recording is what we received, decoded, as 16-bit mono at 8 kHz.
 */
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import type { AccountSnapshot } from '../../../src-shared/model/account.ts';
import { createNodePhone, fileAudioProvider } from '../../phone/index.ts';
import type { Phone } from '../../phone/index.ts';
import type { AccountInput } from '../../../src-shared/model/account.ts';
import { NodeClock } from '../../platform/index.ts';
import type { Timer } from '../../platform/index.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, CliContext, CliOption, ParsedCommandLine } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import { failureMessage, registerPlanOf } from './register.ts';
import type { RegisterPlan } from './register.ts';

/** How long to wait for the account to register before giving up. */
const REGISTER_WAIT_MS = 15_000;

/** Options shared by `call` and `answer`: the account (as in `register`) and the audio. */
export const ACCOUNT_AND_AUDIO_OPTIONS: Record<string, CliOption> = {
  aor: { type: 'string', value: 'URI', description: 'The address-of-record, e.g. sip:1000@pbx.example.com.' },
  password: { type: 'string', value: 'SECRET', description: 'Digest password (or set SOFTPHONE_PASSWORD).' },
  'auth-user': {
    type: 'string',
    value: 'USER',
    description: 'Digest user name (default: the AOR\u2019s user).',
  },
  domain: { type: 'string', value: 'HOST', description: 'Registrar domain (default: the AOR\u2019s host).' },
  'display-name': { type: 'string', value: 'NAME', description: 'Display name in From.' },
  proxy: {
    type: 'string',
    value: 'URI',
    description: 'Outbound proxy, e.g. "sip:127.0.0.1:5060;transport=udp" (;lr: as a Route).',
  },
  transport: {
    type: 'string',
    value: 'udp|tcp|tls',
    description: 'Transport when the proxy/registrar URI names none (default udp).',
  },
  ca: {
    type: 'string',
    multiple: true,
    value: 'FILE',
    description: 'A PEM trust anchor for TLS, besides the system ones (may repeat).',
  },
  tone: {
    type: 'string',
    value: 'HZ',
    description: 'Send a sine tone of this frequency (default: silence).',
  },
  play: { type: 'string', value: 'FILE.wav', description: 'Send this WAV file (16-bit PCM, looped).' },
  record: { type: 'string', value: 'FILE.wav', description: 'Record what we receive (decoded, 8 kHz mono).' },
  duration: {
    type: 'string',
    value: 'S',
    description: 'Hang up this many seconds after the answer (default: when the other side does, or Ctrl-C).',
  },
  'dtmf-mode': {
    type: 'string',
    value: 'auto|rfc4733|info',
    description: 'How DTMF is sent (default auto).',
  },
  'rtp-ports': {
    type: 'string',
    value: 'MIN-MAX',
    description: 'Local media port range (default 16384-32767).',
  },
  ice: {
    type: 'boolean',
    description: 'Always offer ICE (default: auto — offered, plain RTP when the far end has none).',
  },
  'no-ice': { type: 'boolean', description: 'Never offer ICE; answer ICE offers with plain RTP.' },
  stun: {
    type: 'string',
    multiple: true,
    value: 'HOST:PORT',
    description: 'A STUN server for server-reflexive candidates (may repeat).',
  },
  turn: {
    type: 'string',
    value: 'URI',
    description: 'A TURN server, e.g. turn:turn.example.com:3478 or turns:…?transport=tcp.',
  },
  'turn-user': { type: 'string', value: 'U', description: 'TURN user name.' },
  'turn-password': {
    type: 'string',
    value: 'P',
    description: 'TURN password (or set SOFTPHONE_TURN_PASSWORD).',
  },
  'relay-only': { type: 'boolean', description: 'Use relayed candidates only (needs --turn).' },
};

/** The account plan of a call: the registration's, plus the phone-wide ICE override. */
export interface CallPlan extends RegisterPlan {
  readonly relayOnly: boolean;
}

/** --ice/--no-ice, --stun, --turn* and --relay-only as the account's NAT settings. */
function natOptionsOf(
  values: ParsedCommandLine['values'],
  env: NodeJS.ProcessEnv,
): { nat: Pick<AccountInput, 'iceMode' | 'stunServers' | 'turnServers'>; relayOnly: boolean } {
  if (values.ice === true && values['no-ice'] === true)
    throw new UsageError('--ice and --no-ice exclude each other');
  const stunValues =
    values.stun === undefined
      ? []
      : (Array.isArray(values.stun) ? values.stun : [values.stun]).filter(
          (v): v is string => typeof v === 'string',
        );
  if (stunValues.length > 8) throw new UsageError('at most 8 --stun servers');
  const stunServers = stunValues.map((v) => {
    const uri = /^stuns?:/i.test(v) ? v : `stun:${v}`;
    if (!/^stuns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/i.test(uri))
      throw new UsageError(`--stun ${v}: expected HOST:PORT`);
    return uri;
  });
  const turnText = stringOption(values, 'turn');
  const turnUser = stringOption(values, 'turn-user');
  const turnPassword = stringOption(values, 'turn-password') ?? env.SOFTPHONE_TURN_PASSWORD;
  const turnServers: AccountInput['turnServers'] = [];
  if (turnText !== undefined) {
    const uri = /^turns?:/i.test(turnText) ? turnText : `turn:${turnText}`;
    if (!/^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/i.test(uri))
      throw new UsageError(`--turn ${turnText}: expected turn:HOST[:PORT][?transport=udp|tcp]`);
    if (turnUser === undefined || turnPassword === undefined)
      throw new UsageError('--turn needs --turn-user and --turn-password (or SOFTPHONE_TURN_PASSWORD)');
    turnServers.push({ uri, username: turnUser, password: turnPassword });
  } else if (turnUser !== undefined) throw new UsageError('--turn-user needs --turn');
  const relayOnly = values['relay-only'] === true;
  if (relayOnly && turnServers.length === 0) throw new UsageError('--relay-only needs a --turn server');
  if (relayOnly && values['no-ice'] === true) throw new UsageError('--relay-only needs ICE (drop --no-ice)');
  const iceMode = values['no-ice'] === true ? 'off' : values.ice === true ? 'on' : 'auto';
  return { nat: { iceMode, stunServers, turnServers }, relayOnly };
}

export interface CallAudioPlan {
  readonly tone: number | undefined;
  readonly play: string | undefined;
  readonly record: string | undefined;
}

export function audioPlanOf(values: ParsedCommandLine['values']): CallAudioPlan {
  const tone = numberOption(values, 'tone', 20, 3900);
  const play = stringOption(values, 'play');
  if (tone !== undefined && play !== undefined) throw new UsageError('--tone and --play exclude each other');
  return { tone, play, record: stringOption(values, 'record') };
}

/** The account plan with the call-only settings (DTMF mode, media ports, NAT traversal). */
export function callAccountPlanOf(values: ParsedCommandLine['values'], env: NodeJS.ProcessEnv): CallPlan {
  const plan = registerPlanOf({ ...values, duration: undefined }, env);
  const mode = stringOption(values, 'dtmf-mode');
  if (mode !== undefined && mode !== 'auto' && mode !== 'rfc4733' && mode !== 'info')
    throw new UsageError('--dtmf-mode must be auto, rfc4733 or info');
  const ports = stringOption(values, 'rtp-ports');
  let mediaPorts: { min: number; max: number } | null = null;
  if (ports !== undefined) {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(ports);
    if (m === null || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535 || Number(m[1]) < 1)
      throw new UsageError('--rtp-ports must be MIN-MAX, e.g. 20000-20100');
    mediaPorts = { min: Number(m[1]), max: Number(m[2]) };
  }
  const { nat, relayOnly } = natOptionsOf(values, env);
  return { ...plan, account: { ...plan.account, dtmfMode: mode ?? null, mediaPorts, ...nat }, relayOnly };
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
  // 8 kHz ports: G.711's rate, so nothing is resampled on the way.
  phone.calls.useAudio(
    fileAudioProvider({ ...audio, sampleRate: 8000 }, (message) => ctx.out.info(`warning: ${message}`)),
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

interface ScheduledAction {
  readonly atMs: number;
  readonly what: string;
  readonly run: (client: CliPhoneClient, callId: string) => Promise<unknown>;
}

function actionsOf(values: ParsedCommandLine['values']): ScheduledAction[] {
  const actions: ScheduledAction[] = [];
  const seconds = (name: string): number | undefined => numberOption(values, name, 0, 86_400);
  const dtmf = stringOption(values, 'dtmf');
  if (dtmf !== undefined) {
    if (!/^[0-9*#A-Da-d]{1,32}$/.test(dtmf)) throw new UsageError('--dtmf takes 0-9, *, #, A-D');
    actions.push({
      atMs: (seconds('dtmf-at') ?? 1) * 1000,
      what: `DTMF ${dtmf}`,
      run: (c, callId) => c.call('calls.sendDtmf', { callId, digits: dtmf }),
    });
  }
  const holdAt = seconds('hold-at');
  const resumeAt = seconds('resume-at');
  if (resumeAt !== undefined && holdAt === undefined) throw new UsageError('--resume-at needs --hold-at');
  if (holdAt !== undefined)
    actions.push({ atMs: holdAt * 1000, what: 'hold', run: (c, callId) => c.call('calls.hold', { callId }) });
  if (resumeAt !== undefined) {
    if (holdAt !== undefined && resumeAt <= holdAt)
      throw new UsageError('--resume-at must come after --hold-at');
    actions.push({
      atMs: resumeAt * 1000,
      what: 'resume',
      run: (c, callId) => c.call('calls.resume', { callId }),
    });
  }
  const transferTo = stringOption(values, 'transfer-to');
  if (transferTo !== undefined) {
    actions.push({
      atMs: (seconds('transfer-at') ?? 1) * 1000,
      what: `transfer to ${transferTo}`,
      run: (c, callId) => c.call('calls.transfer', { callId, target: transferTo }),
    });
  }
  return actions;
}

export const callCommand: CliCommand = {
  name: 'call',
  summary:
    'Call a SIP address from an account, send a tone or a WAV file, record what comes back, hang up after --duration.',
  usage:
    'softphone call TARGET --aor URI --password SECRET [--proxy URI] [--transport udp|tcp|tls] [--tone HZ | --play FILE.wav] [--record FILE.wav] [--duration S] [--dtmf DIGITS] [--hold-at S --resume-at S] [--transfer-to URI --transfer-at S] [--ice | --no-ice] [--stun HOST:PORT] [--turn URI --turn-user U --turn-password P] [--relay-only] [--json]',
  positionals: ['TARGET'],
  options: {
    ...ACCOUNT_AND_AUDIO_OPTIONS,
    dtmf: { type: 'string', value: 'DIGITS', description: 'Send these DTMF keys after the answer.' },
    'dtmf-at': {
      type: 'string',
      value: 'S',
      description: 'When to send --dtmf, seconds after the answer (default 1).',
    },
    'hold-at': {
      type: 'string',
      value: 'S',
      description: 'Put the call on hold this many seconds after the answer.',
    },
    'resume-at': { type: 'string', value: 'S', description: 'Take it off hold at this time.' },
    'transfer-to': {
      type: 'string',
      value: 'URI',
      description: 'Blind-transfer the call to this address (REFER).',
    },
    'transfer-at': {
      type: 'string',
      value: 'S',
      description: 'When to transfer, seconds after the answer (default 1).',
    },
  },
  async run(args, ctx) {
    const target = args.positionals[0];
    if (target === undefined)
      throw new UsageError('give the address to call, e.g. softphone call sip:bob@example.com …');
    const plan = callAccountPlanOf(args.values, ctx.env);
    const audio = audioPlanOf(args.values);
    const durationS = numberOption(args.values, 'duration', 0, 86_400);
    const actions = actionsOf(args.values);
    const phone = startCliPhone(plan, audio, ctx);
    try {
      return await placeCall(phone, plan, target, durationS, actions, ctx);
    } finally {
      await phone.close();
    }
  },
};

async function placeCall(
  phone: Phone,
  plan: CallPlan,
  target: string,
  durationS: number | undefined,
  actions: ScheduledAction[],
  ctx: CliContext,
): Promise<number> {
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

/**
 * `softphone call TARGET`: register an account (in memory, as `register` does), call TARGET, play a tone
 * or a WAV file into the call, record what we hear, and hang up after `--duration`. Scripted actions
 * run at times counted from the answer: `--dtmf`, `--hold-at`/`--resume-at`, `--transfer-to`.
 *
 * Attended transfer (RFC 5589 §7), `--consult URI`: `--consult-at` seconds (default 1) after the answer
 * we call URI from the same account — the phone puts the first call on hold as the consultation call
 * goes out —, and `--transfer-at` seconds (default 1) after the consultation call is answered we ask the
 * first call's far end to call URI in our place: REFER with Refer-To `URI?Replaces=<the consultation
 * dialog>` (RFC 3891), so its INVITE replaces our consultation call at URI. The first call ends as
 * `transferred` when the far end's NOTIFY reports the new call answered; the consultation call ends as
 * `transferred` when URI's phone hangs it up after the replacement (or when we do, 5 s after the transfer
 * succeeded, if it does not). When the attended transfer cannot complete (the consultation call is
 * not answered or ends first, the far end refuses the REFER, its new call fails, the first call ends
 * first), what is still up is hung up and the exit code is 1. `--transfer-to URI` is the blind transfer;
 * the two exclude each other.
 *
 * With --json every change of the call is one line `{"type":"call","state":…,"reason":…,…}` (the
 * CallSnapshot of the phone API: `media` says whether the audio is direct or relayed and, with ICE, the
 * selected candidate pair; `stats.mos` the E-model estimate), then `{"type":"result",…}`.
 *
 * NAT traversal: ICE is offered by default (`auto`: plain RTP when the far end does not do ICE);
 * `--no-ice` turns it off, `--stun HOST:PORT` and `--turn URI --turn-user U --turn-password P` give the
 * servers (the password also from SOFTPHONE_TURN_PASSWORD), `--relay-only` gathers relayed candidates only.
 * A turns: server's certificate is verified as SIP TLS's is: the system CAs plus each `--ca FILE`.
 * `--srtp off|optional|required` sets media encryption (SDES-SRTP; default optional over TLS, else off);
 * the snapshots' `media.encryption` says whether the call is encrypted (`srtp`, with `media.srtpSuite`).
 * SOFTPHONE_LOG=debug (or info, warn) adds the phone's log as `log` lines. Exit 0 when the call was answered and
 * ended normally (hang-up by either side, a completed transfer; with --consult: when both calls ended as
 * transferred), 1 otherwise with the reason in words, 2 for a wrong command line. Every snapshot of every
 * call (the consultation call too) is a `call` line; each recording file is announced by a `recording`
 * line `{"type":"recording","callId":…,"path":…}`.
 *
 * The recording is what we received, decoded, as 16-bit mono at the codec's rate: 8 kHz for G.711, 16 kHz
 * for G.722. A tone (or WAV) runs at that rate too, so a tone above 4 kHz needs G.722 (on a G.711 call it
 * is reported and replaced by silence).
 */
import type { AccountInput } from '../../../src-shared/model/account.ts';
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, CliOption, ParsedCommandLine } from '../command.ts';
import type { CliPhoneClient } from '../phone-client.ts';
import { ACCOUNT_OPTIONS, registerPlanOf } from './register.ts';
import type { RegisterPlan } from './register.ts';

/** Options shared by `call` and `answer`: the account (as in `register`) and the audio. */
export const ACCOUNT_AND_AUDIO_OPTIONS: Record<string, CliOption> = {
  ...ACCOUNT_OPTIONS,
  ca: {
    type: 'string',
    multiple: true,
    value: 'FILE',
    description:
      'A PEM trust anchor for TLS — SIP and turns: servers — besides the system ones (may repeat). Verification stays on.',
  },
  tone: {
    type: 'string',
    value: 'HZ',
    description:
      'Send a sine tone of this frequency, 20–7900 Hz; above 3.9 kHz only on G.722 (default: silence).',
  },
  play: { type: 'string', value: 'FILE.wav', description: 'Send this WAV file (16-bit PCM, looped).' },
  record: {
    type: 'string',
    value: 'FILE.wav',
    description:
      'Record what we receive (decoded, mono, at the codec rate: 8 kHz G.711, 16 kHz G.722); each further call (consultation, transfer, call waiting) to FILE-2.wav, FILE-3.wav… (a `recording` line names each file).',
  },
  duration: {
    type: 'string',
    value: 'S',
    description:
      'Hang up this many seconds after the answer (default: when the other side does, or Ctrl-C); each call counts from its own answer.',
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
  srtp: {
    type: 'string',
    value: 'off|optional|required',
    description:
      'Media encryption, SDES-SRTP (default: optional over TLS, off otherwise — the keys travel in the SIP messages).',
  },
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
  // Up to just below the Nyquist frequency of G.722's 16 kHz; the call refuses what its codec cannot carry.
  const tone = numberOption(values, 'tone', 20, 7900);
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
  const srtp = stringOption(values, 'srtp') ?? plan.account.srtp;
  if (srtp !== 'off' && srtp !== 'optional' && srtp !== 'required')
    throw new UsageError('--srtp must be off, optional or required');
  return {
    ...plan,
    account: { ...plan.account, dtmfMode: mode ?? null, mediaPorts, ...nat, srtp },
    relayOnly,
  };
}

/**
 * `--consult URI`: an attended transfer. The consultation call to `target` goes out `atMs` after the first
 * call's answer; the REFER with Replaces `transferAtMs` after the consultation call's answer.
 */
export interface ConsultPlan {
  readonly target: string;
  readonly atMs: number;
  readonly transferAtMs: number;
}

export function consultPlanOf(values: ParsedCommandLine['values']): ConsultPlan | undefined {
  const consult = stringOption(values, 'consult');
  const seconds = (name: string): number | undefined => numberOption(values, name, 0, 86_400);
  if (consult === undefined) {
    if (values['consult-at'] !== undefined) throw new UsageError('--consult-at needs --consult');
    return undefined;
  }
  if (stringOption(values, 'transfer-to') !== undefined)
    throw new UsageError(
      '--consult and --transfer-to exclude each other: --consult URI is an attended transfer (call URI, then transfer to it), --transfer-to URI a blind one',
    );
  if (!/^[^\s<>"]{1,512}$/.test(consult))
    throw new UsageError(`--consult ${JSON.stringify(consult)}: expected a SIP address or number`);
  return {
    target: consult,
    atMs: (seconds('consult-at') ?? 1) * 1000,
    transferAtMs: (seconds('transfer-at') ?? 1) * 1000,
  };
}

/** Something `--dtmf`, `--hold-at`, `--resume-at` or `--transfer-to` asks for, at a time after the answer. */
export interface ScheduledAction {
  readonly atMs: number;
  readonly what: string;
  readonly run: (client: CliPhoneClient, callId: string) => Promise<unknown>;
}

export function actionsOf(values: ParsedCommandLine['values']): ScheduledAction[] {
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
  if (transferTo === undefined && values.consult === undefined && values['transfer-at'] !== undefined)
    throw new UsageError('--transfer-at needs --transfer-to or --consult');
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
    'softphone call TARGET --aor URI --password SECRET [--proxy URI] [--transport udp|tcp|tls] [--tone HZ | --play FILE.wav] [--record FILE.wav] [--duration S] [--dtmf DIGITS] [--hold-at S --resume-at S] [--transfer-to URI | --consult URI [--consult-at S]] [--transfer-at S] [--ice | --no-ice] [--stun HOST:PORT] [--turn URI --turn-user U --turn-password P] [--relay-only] [--srtp off|optional|required] [--json]',
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
    consult: {
      type: 'string',
      value: 'URI',
      description:
        'Attended transfer: call this address too (the first call goes on hold), then transfer the first call to it (REFER with Replaces); exit 0 when both calls ended as transferred.',
    },
    'consult-at': {
      type: 'string',
      value: 'S',
      description: 'When to place the --consult call, seconds after the first call is answered (default 1).',
    },
    'transfer-at': {
      type: 'string',
      value: 'S',
      description:
        'When to transfer, seconds (default 1) after the answer with --transfer-to, after the consultation call\u2019s answer with --consult.',
    },
  },
  async run(args, ctx) {
    const target = args.positionals[0];
    if (target === undefined)
      throw new UsageError('give the address to call, e.g. softphone call sip:bob@example.com …');
    const plan = callAccountPlanOf(args.values, ctx.env);
    const audio = audioPlanOf(args.values);
    const durationS = numberOption(args.values, 'duration', 0, 86_400);
    const consult = consultPlanOf(args.values);
    const actions = actionsOf(args.values);
    const { runCall } = await import('./call-run.ts');
    return runCall({ plan, audio, target, durationS, actions, consult }, ctx);
  },
};

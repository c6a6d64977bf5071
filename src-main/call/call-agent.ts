/**
 * `CallAgent`: the calls of one `SipUserAgent`. It registers the request handlers calls need on the UA
 * (INVITE, ACK, BYE, UPDATE, INFO, REFER, NOTIFY, OPTIONS), creates a `Call` for each new INVITE and
 * each `dial()`, routes in-dialog requests to the call that owns the dialog, and keeps the phone-wide
 * call policy:
 *  - one call has the audio: answering, placing or resuming a call puts the others on hold (call
 *    waiting: a second call rings during a call; answering it holds the first);
 *  - auto-answer only when no other call is up;
 *  - an INVITE with Replaces (RFC 3891) takes the place of the call it names;
 *  - a REFER (RFC 3515) makes a new call from the same account.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { AudioPort } from '../media/audio/index.ts';
import type { Clock } from '../platform/index.ts';
import type { Dialog } from '../sip/dialog/index.ts';
import { Header } from '../sip/syntax/index.ts';
import type { SipRequest, Uri } from '../sip/syntax/index.ts';
import type { SipUserAgent, UasRequest } from '../sip/ua/index.ts';
import { Call, DEFAULT_CALL_TIMING } from './call.ts';
import type { CallAccount, CallEnvironment, CallLogLevel, CallTiming, DialOptions } from './call.ts';
import type { MediaTransportProvider } from './call-media.ts';
import { DTMF_PLAIN, DTMF_RELAY, SIPFRAG } from './message-bodies.ts';

export interface CallAgentOptions {
  readonly ua: SipUserAgent;
  readonly clock: Clock;
  readonly media: MediaTransportProvider;
  /** The audio of a call (tone/WAV for the CLI and tests, the renderer's bridge in the app). */
  readonly openAudio: (call: Call) => AudioPort;
  /** The account an incoming INVITE is for; undefined: 404. */
  readonly accountFor: (request: SipRequest) => CallAccount | undefined;
  readonly timing?: Partial<CallTiming>;
  readonly random?: () => number;
  readonly log?: (level: CallLogLevel, message: string) => void;
  /** Hold the other calls when one takes the audio (default true). */
  readonly holdOthers?: boolean;
  readonly newId?: () => string;
}

/** Methods the agent serves, and the bodies each accepts (RFC 3261 §8.2.3: 415 for others). */
const HANDLED: Readonly<Record<string, readonly string[]>> = {
  INVITE: ['application/sdp'],
  ACK: ['application/sdp'],
  BYE: [],
  UPDATE: ['application/sdp'],
  INFO: [DTMF_RELAY, DTMF_PLAIN],
  REFER: [],
  NOTIFY: [SIPFRAG],
  OPTIONS: [],
};

export class CallAgent implements Disposable {
  readonly ua: SipUserAgent;
  readonly #options: CallAgentOptions;
  readonly #env: CallEnvironment;
  readonly #calls = new Set<Call>();
  readonly #byDialog = new Map<string, Call>();
  readonly #created = new Emitter<Call>();
  readonly #subscriptions: Disposable[] = [];
  #closed = false;

  constructor(options: CallAgentOptions) {
    this.ua = options.ua;
    this.#options = options;
    const log = options.log ?? (() => {});
    this.#env = {
      ua: options.ua,
      clock: options.clock,
      random: options.random ?? Math.random,
      timing: { ...DEFAULT_CALL_TIMING, ...options.timing },
      media: options.media,
      log,
      openAudio: (call) => options.openAudio(call),
      bindDialog: (dialog, call) => this.#bind(dialog, call),
      autoAnswerAllowed: (call) => ![...this.#calls].some((c) => c !== call && c.up && !c.held),
      placeTransferCall: (call, target, headers) => this.#placeTransferCall(call, target, headers),
      takesFocus: (call) => this.#takesFocus(call),
      ...(options.newId !== undefined && { newId: options.newId }),
    };
    for (const [method, accept] of Object.entries(HANDLED)) {
      this.#subscriptions.push(
        options.ua.onRequest(method, (uas) => this.#receive(uas), {
          accept: [...accept],
        }),
      );
    }
  }

  /** Calls that have not ended, oldest first. */
  get calls(): Call[] {
    return [...this.#calls];
  }

  find(id: string): Call | undefined {
    return [...this.#calls].find((c) => c.id === id);
  }

  /** Every new call: incoming, dialled, or placed for a transfer. */
  onCall(listener: (call: Call) => void): Disposable {
    return this.#created.on(listener);
  }

  /** Place a call from `account` to `target`. */
  dial(account: CallAccount, target: Uri, options: DialOptions = {}): Call {
    if (this.#closed) throw new Error('dial on a closed call agent');
    const call = Call.dial(this.#env, account, target, options);
    this.#adopt(call);
    // A new outgoing call takes the audio: the others go on hold.
    this.#takesFocus(call);
    return call;
  }

  /** End every call (BYE/CANCEL/480) and stop serving requests. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of [...this.#calls]) call.shutdown();
    for (const s of this.#subscriptions.splice(0)) s.dispose();
    this.#created.clear();
  }

  // ───────────────────────────── internals ─────────────────────────────

  #adopt(call: Call): void {
    this.#calls.add(call);
    const sub = call.onChange((c) => {
      if (c.phase === 'ended') {
        this.#calls.delete(c);
        sub.dispose();
      }
    });
    this.#created.emit(call);
  }

  #bind(dialog: Dialog, call: Call): void {
    if (dialog.state === 'terminated' || this.#byDialog.get(dialog.key) === call) return;
    this.#byDialog.set(dialog.key, call);
    const sub = dialog.onStateChange(({ to }) => {
      if (to !== 'terminated') return;
      sub.dispose();
      if (this.#byDialog.get(dialog.key) === call) this.#byDialog.delete(dialog.key);
    });
  }

  #receive(uas: UasRequest): void {
    const request = uas.request;
    const dialog = uas.dialog;
    const call = dialog === undefined ? undefined : this.#byDialog.get(dialog.key);
    if (request.method === 'ACK') {
      call?.receiveAck(request);
      return;
    }
    if (call !== undefined) {
      call.receiveRequest(uas);
      return;
    }
    if (request.method === 'INVITE' && request.to.tag === undefined) {
      this.#incoming(uas);
      return;
    }
    if (request.method === 'OPTIONS' && request.to.tag === undefined) {
      // RFC 3261 §11.2: an OPTIONS outside a dialog is answered "as if it were an INVITE".
      uas.respond(this.#closed ? 480 : 200, { headers: [['Accept', 'application/sdp']] });
      return;
    }
    // §12.2.2: a request for a dialog (or a dialog usage) we do not know.
    uas.respond(481);
  }

  #incoming(uas: UasRequest): void {
    const request = uas.request;
    if (this.#closed) {
      uas.respond(480);
      return;
    }
    const replaces = request.headers.first(Header.Replaces);
    if (!replaces.ok) {
      uas.respond(400, { reason: 'Bad Request (Replaces)' });
      return;
    }
    let replaced: Call | undefined;
    if (replaces.value !== undefined) {
      const match = [...this.#calls].find((c) => c.matchesReplaces(replaces.value!));
      // RFC 3891 §3: "If no match is found, the UAS rejects the INVITE and returns a 481 Call/Transaction
      // Does Not Exist response"; "If the Replaces header field matches a confirmed dialog [and] the
      // early-only flag is present, the UA MUST return a 486 Busy"; an early dialog this UA did not
      // initiate is not replaced (481).
      if (match === undefined || (match.direction === 'incoming' && match.phase === 'ringing')) {
        uas.respond(481);
        return;
      }
      if (
        replaces.value.earlyOnly &&
        match.phase !== 'dialing' &&
        match.phase !== 'ringing' &&
        match.phase !== 'early'
      ) {
        uas.respond(486);
        return;
      }
      replaced = match;
    }
    const account = replaced?.account ?? this.#options.accountFor(request);
    if (account === undefined) {
      uas.respond(404);
      return;
    }
    const call = Call.incoming(this.#env, account, uas, replaced !== undefined ? { replaces: replaced } : {});
    if (call.phase === 'ended') {
      this.#created.emit(call);
      return;
    }
    this.#adopt(call);
    if (replaced !== undefined) {
      const old = replaced;
      // §3: "the UA [...] accepts the new INVITE [...] then [...] terminates the replaced dialog".
      void call.answer().then((r) => {
        if (r.ok) old.replacedBy();
      });
    }
  }

  #placeTransferCall(
    from: Call,
    target: Uri,
    headers: readonly (readonly [string, string])[],
  ): Call | undefined {
    if (this.#closed) return undefined;
    return this.dial(from.account, target, { headers });
  }

  /**
   * `call` takes the audio: every other call that is up goes on hold — except the call it replaces
   * (RFC 3891), which gets a BYE right after, not a re-INVITE first.
   */
  #takesFocus(call: Call): void {
    if (this.#options.holdOthers === false) return;
    for (const other of this.#calls) {
      if (other !== call && other.id !== call.replaces && other.up && !other.holdWanted) other.hold();
    }
  }
}

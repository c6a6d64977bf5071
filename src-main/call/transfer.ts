/**
 * Call transfer with REFER (RFC 3515), both roles, as two small machines on the call's dialog.
 *
 * Transferor — `OutgoingTransfer`: we sent REFER and follow the implicit subscription it creates
 * (RFC 3515 §2.4.4: "A REFER request [...] creates an implicit subscription to the refer event"). The
 * NOTIFYs carry the new call's progress as `message/sipfrag` (§2.4.5); a 2xx sipfrag means the
 * transferee reached the target, and the call layer ends our call.
 *
 *   ┌────────────┐ 2xx to REFER ┌──────────┐ NOTIFY sipfrag 2xx ┌───────────┐
 *   │ requesting │ ───────────▶ │ accepted │ ─────────────────▶ │ succeeded │
 *   └────────────┘              └──────────┘                    └───────────┘
 *        │ REFER refused             │ sipfrag ≥ 300, terminated without a final, or no word in time
 *        └──────────────────────────▶└─────────────────────────▶  failed
 *
 * The accepted state owns the give-up timer (no final NOTIFY within TRANSFER_WAIT_MS).
 *
 * Transferee — `IncomingTransfer`: the peer asked us to call someone; we report that call's progress in
 * NOTIFYs (§2.4.5: "Each NOTIFY MUST contain a body of type "message/sipfrag""), the last one with
 * `Subscription-State: terminated` (RFC 6665 §4.2.2).
 */
import type { CallTransfer } from '../../src-shared/model/call.ts';
import type { Clock, Timer } from '../platform/index.ts';
import type { Dialog } from '../sip/dialog/index.ts';
import { Header } from '../sip/syntax/index.ts';
import type { SipRequest } from '../sip/syntax/index.ts';
import type { SipUserAgent } from '../sip/ua/index.ts';
import { SIPFRAG, parseSipfragStatus, sipfragBody } from './message-bodies.ts';

/** How long a transferor waits for the final NOTIFY before calling the transfer failed. */
export const TRANSFER_WAIT_MS = 180_000;

export type OutgoingTransferState = 'requesting' | 'accepted' | 'succeeded' | 'failed';

export interface OutgoingTransferListener {
  changed(transfer: CallTransfer): void;
  /** The target answered the transferee (final 2xx sipfrag). */
  succeeded(): void;
}

const OUTGOING_LEGAL: Readonly<Record<OutgoingTransferState, readonly OutgoingTransferState[]>> = {
  requesting: ['accepted', 'failed'],
  accepted: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export class OutgoingTransfer {
  readonly target: string;
  readonly #clock: Clock;
  readonly #listener: OutgoingTransferListener;
  readonly #log: (message: string) => void;
  #state: OutgoingTransferState = 'requesting';
  #sipCode: number | null = null;
  #timer: Timer | undefined;
  /** CSeq of our REFER: the `id` of its subscription (RFC 3515 §2.4.6). */
  referSeq: number | undefined;

  constructor(options: {
    clock: Clock;
    target: string;
    listener: OutgoingTransferListener;
    log?: (message: string) => void;
  }) {
    this.#clock = options.clock;
    this.target = options.target;
    this.#listener = options.listener;
    this.#log = options.log ?? (() => {});
  }

  get state(): OutgoingTransferState {
    return this.#state;
  }

  get snapshot(): CallTransfer {
    const state =
      this.#state === 'requesting' ? 'pending' : this.#state === 'accepted' ? 'trying' : this.#state;
    return { role: 'transferor', target: this.target, state, sipCode: this.#sipCode };
  }

  /** The final response to our REFER. */
  referAnswered(status: number): void {
    if (this.#state !== 'requesting') return;
    if (status >= 200 && status < 300) {
      this.#transition('accepted', `REFER ${status}`);
    } else {
      this.#sipCode = status;
      this.#transition('failed', `REFER refused with ${status}`);
    }
  }

  /** The REFER got no final response (timeout, transport). */
  referFailed(cause: string): void {
    if (this.#state === 'requesting') this.#transition('failed', cause);
  }

  /**
   * A NOTIFY for our refer subscription. Returns the status to answer it with (RFC 6665 §4.1.3: 200
   * for a NOTIFY we accept; 400 for a body we cannot read).
   */
  receiveNotify(notify: SipRequest): number {
    const frag = notify.body.length > 0 ? parseSipfragStatus(notify.body.toString('utf8')) : undefined;
    const subscription = notify.headers.first(Header.SubscriptionState);
    const terminated = subscription.ok && subscription.value?.state === 'terminated';
    if (notify.body.length > 0 && frag === undefined) return 400;
    // A NOTIFY may race the 2xx of the REFER (RFC 6665 §4.1.2.4): it means the REFER was accepted.
    if (this.#state === 'requesting') this.#transition('accepted', 'NOTIFY before the REFER response');
    if (this.#state !== 'accepted') return 200;
    if (frag !== undefined) {
      this.#sipCode = frag.status;
      if (frag.status >= 200 && frag.status < 300) {
        this.#transition('succeeded', `sipfrag ${frag.status} ${frag.phrase}`);
        return 200;
      }
      if (frag.status >= 300) {
        this.#transition('failed', `sipfrag ${frag.status} ${frag.phrase}`);
        return 200;
      }
    }
    if (terminated) this.#transition('failed', 'subscription terminated without a final status');
    else this.#listener.changed(this.snapshot);
    return 200;
  }

  /** The call ended under the transfer. */
  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #transition(to: OutgoingTransferState, cause: string): void {
    const from = this.#state;
    if (!OUTGOING_LEGAL[from].includes(to))
      throw new Error(`transfer: illegal transition ${from} → ${to} (${cause})`);
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#state = to;
    this.#log(`transfer to ${this.target}: ${from} → ${to} (${cause})`);
    if (to === 'accepted') {
      this.#timer = this.#clock.setTimer(TRANSFER_WAIT_MS, () => {
        this.#timer = undefined;
        this.#transition('failed', `no final NOTIFY within ${TRANSFER_WAIT_MS / 1000} s`);
      });
    }
    this.#listener.changed(this.snapshot);
    if (to === 'succeeded') this.#listener.succeeded();
  }
}

export type IncomingTransferState = 'active' | 'terminated';

/** The notifier side: we were asked (REFER) to call `target` and report how it goes. */
export class IncomingTransfer {
  readonly target: string;
  readonly #ua: SipUserAgent;
  readonly #dialog: Dialog;
  readonly #referSeq: number;
  #state: IncomingTransferState = 'active';
  #sipCode: number | null = null;
  #lastStatus = 0;

  constructor(options: { ua: SipUserAgent; dialog: Dialog; refer: SipRequest; target: string }) {
    this.#ua = options.ua;
    this.#dialog = options.dialog;
    this.#referSeq = options.refer.cseq.seq;
    this.target = options.target;
  }

  get state(): IncomingTransferState {
    return this.#state;
  }

  get snapshot(): CallTransfer {
    const done = this.#sipCode !== null && this.#sipCode >= 200;
    const state = !done ? 'trying' : this.#sipCode !== null && this.#sipCode < 300 ? 'succeeded' : 'failed';
    return { role: 'transferee', target: this.target, state, sipCode: this.#sipCode };
  }

  /** The new call's progress: provisional statuses keep the subscription active, finals end it. */
  report(status: number, phrase: string): void {
    if (this.#state === 'terminated' || status === this.#lastStatus) return;
    this.#lastStatus = status;
    const final = status >= 200;
    if (final) {
      this.#sipCode = status;
      this.#state = 'terminated';
    }
    if (this.#dialog.state === 'terminated') return;
    // RFC 3515 §2.4.6: the Event header's id is the REFER's CSeq number; RFC 6665 §4.2.2 / §4.1.3:
    // the last NOTIFY says terminated (reason noresource: the subscribed-to state is gone).
    const subscriptionState = final ? 'terminated;reason=noresource' : 'active;expires=60';
    this.#ua.sendInDialog(this.#dialog, 'NOTIFY', {
      headers: [
        ['Event', `refer;id=${this.#referSeq}`],
        ['Subscription-State', subscriptionState],
      ],
      body: sipfragBody(status, phrase),
      contentType: SIPFRAG,
    });
  }
}

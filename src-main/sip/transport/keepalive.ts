/**
 * Keepalives on one flow (RFC 5626 §4.4), which keep NAT bindings open and find dead flows:
 *
 *   TCP/TLS      CRLF ping / pong (§4.4.1): send CRLFCRLF; the server answers CRLF. "If a pong is not
 *                received within 10 seconds after sending a ping, then the client MUST treat the flow as
 *                failed."
 *   UDP + STUN   a STUN Binding request on the SIP socket (§4.4.2). No response → the flow failed; and
 *                "If the XOR-MAPPED-ADDRESS in the STUN Binding Response changes, the UA MUST treat this
 *                event as a failure on the flow." The first response tells us our public mapping.
 *   UDP + CRLF   a CRLFCRLF datagram (what many PBXs accept); nothing answers it, so it only keeps the
 *                NAT binding open and never detects a failure.
 *
 * Each keepalive goes at a random point between 80 % and 100 % of the interval after the previous one
 * (§4.4.1 asks for this jitter so that clients behind one NAT do not synchronise).
 *
 *            interval timer (80–100 % of intervalMs)
 *   ┌─────────┐ ──── send ping / Binding ────▶ ┌─────────┐ ── no answer in time ──▶ failed
 *   │ waiting │                                │ probing │ ── new STUN mapping ───▶ failed
 *   └─────────┘ ◀─── pong / Binding success ── └─────────┘
 *       │  ▲ UDP+CRLF: send, stay waiting           │
 *       └──┘                                        │ stop() / flow closed (from any state)
 *                                                   ▼
 *                                                stopped
 *
 * The waiting state owns the interval timer; the probing state owns the pong timer (streams) or the STUN
 * transaction (UDP). A failure closes the flow, which makes the transport layer emit `flow-failed`.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { formatAddress, sameAddress } from '../../platform/index.ts';
import type { Clock, SocketAddress, Timer } from '../../platform/index.ts';
import { StunMethod, reflexiveAddressOf } from '../../media/stun/index.ts';
import type { StunClient, StunTiming, StunTransactionResult } from '../../media/stun/index.ts';
import { StreamFlow, UdpFlow } from './flow.ts';
import type { SipFlow } from './flow.ts';
import type { SipLogger } from './types.ts';

export type UdpKeepaliveMethod = 'stun' | 'crlf';

export interface KeepaliveOptions {
  /** Keepalive period in ms before jitter (default 25 000). */
  readonly intervalMs?: number;
  /** How long to wait for a pong or a STUN response (default 10 000, RFC 5626 §4.4.1). */
  readonly pongTimeoutMs?: number;
  /** UDP: STUN Binding (default, RFC 5626 §4.4.2) or a bare CRLFCRLF datagram. */
  readonly udpMethod?: UdpKeepaliveMethod;
}

export type KeepaliveState = 'waiting' | 'probing' | 'stopped' | 'failed';

export type KeepaliveFailure = 'keepalive-timeout' | 'mapping-changed';

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 25_000;
export const DEFAULT_PONG_TIMEOUT_MS = 10_000;

/** The 80–100 % window of RFC 5626 §4.4.1. */
export function jitteredInterval(intervalMs: number, random: () => number): number {
  return Math.round(intervalMs * (0.8 + 0.2 * random()));
}

/**
 * STUN timing for keepalives: RFC 5389 retransmissions (0, 500, 1500, 3500, 7500 ms) but a verdict at
 * `timeoutMs` instead of 39.5 s, so a dead UDP flow is noticed as fast as a dead TCP one.
 */
export function keepaliveStunTiming(timeoutMs: number): StunTiming {
  const rtoMs = 500;
  const maxSends = 5;
  const lastSend = 7_500;
  return {
    rtoMs,
    maxSends,
    finalWaitFactor: Math.max(1, (timeoutMs - lastSend) / rtoMs),
    streamTimeoutMs: timeoutMs,
  };
}

const PING = new Uint8Array([13, 10, 13, 10]);

export interface FlowKeepaliveInit {
  readonly flow: SipFlow;
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: SipLogger;
  readonly options: KeepaliveOptions;
  /** The STUN client of the flow's UDP socket (UDP + STUN only). */
  readonly stun?: StunClient;
}

export class FlowKeepalive implements Disposable {
  readonly flow: SipFlow;
  readonly method: 'crlf-pong' | 'stun' | 'crlf-datagram';
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: SipLogger;
  readonly #intervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #stun: StunClient | undefined;
  #state: KeepaliveState = 'waiting';
  /** The timer of the current state (interval in waiting, pong timeout in probing over streams). */
  #timer: Timer | undefined;
  #stunAbort: AbortController | undefined;
  #mapping: SocketAddress | undefined;
  readonly #retained: Disposable;
  readonly #subscriptions: Disposable[] = [];
  readonly #mapped = new Emitter<SocketAddress>();
  readonly #failed = new Emitter<KeepaliveFailure>();

  constructor(init: FlowKeepaliveInit) {
    this.flow = init.flow;
    this.#clock = init.clock;
    this.#random = init.random;
    this.#log = init.log;
    this.#intervalMs = init.options.intervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
    this.#pongTimeoutMs = init.options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    if (!(this.#intervalMs > 0) || !(this.#pongTimeoutMs > 0))
      throw new RangeError('keepalive intervals must be > 0');
    const flow = init.flow;
    if (flow instanceof StreamFlow) {
      this.method = 'crlf-pong';
      this.#subscriptions.push(flow.onPong(() => this.#pong()));
    } else if (flow instanceof UdpFlow && (init.options.udpMethod ?? 'stun') === 'stun') {
      if (init.stun === undefined) throw new Error("a STUN keepalive needs the socket's STUN client");
      this.method = 'stun';
    } else {
      this.method = 'crlf-datagram';
    }
    this.#stun = init.stun;
    this.#retained = flow.retain();
    this.#subscriptions.push(flow.onClose(() => this.#transition('stopped', 'flow closed')));
    this.#armInterval();
  }

  get state(): KeepaliveState {
    return this.#state;
  }

  /** The public address the last STUN keepalive reported. */
  get mappedAddress(): SocketAddress | undefined {
    return this.#mapping;
  }

  /** Every STUN keepalive success, with the XOR-MAPPED-ADDRESS it reported. */
  onMappedAddress(listener: (address: SocketAddress) => void): Disposable {
    return this.#mapped.on(listener);
  }

  /** The flow failed (it is closed by then; the transport layer emits flow-failed as well). */
  onFailed(listener: (reason: KeepaliveFailure) => void): Disposable {
    return this.#failed.on(listener);
  }

  /** Send a keepalive now (e.g. after a network change) instead of waiting for the timer. */
  probeNow(): void {
    if (this.#state === 'waiting') this.#probe();
  }

  stop(): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#transition('stopped', 'stopped by owner');
  }

  dispose(): void {
    this.stop();
  }

  #armInterval(): void {
    this.#timer = this.#clock.setTimer(jitteredInterval(this.#intervalMs, this.#random), () => {
      this.#timer = undefined;
      this.#probe();
    });
  }

  #probe(): void {
    switch (this.method) {
      case 'crlf-datagram':
        // Nothing answers a datagram keepalive: send and wait for the next turn.
        this.#timer?.cancel();
        this.flow.send(PING);
        this.#armInterval();
        return;
      case 'crlf-pong':
        this.#transition('probing', 'ping sent');
        this.flow.send(PING);
        return;
      case 'stun':
        this.#transition('probing', 'STUN Binding sent');
        this.#sendBinding();
        return;
    }
  }

  #sendBinding(): void {
    const stun = this.#stun;
    if (stun === undefined) throw new Error('STUN keepalive without a STUN client');
    const abort = new AbortController();
    this.#stunAbort = abort;
    void stun
      .request({ method: StunMethod.binding }, this.flow.remote, {
        timing: keepaliveStunTiming(this.#pongTimeoutMs),
        fingerprint: true,
        signal: abort.signal,
      })
      .then((result) => this.#stunResult(result, abort));
  }

  #stunResult(result: StunTransactionResult, abort: AbortController): void {
    if (this.#stunAbort !== abort || this.#state !== 'probing') return;
    this.#stunAbort = undefined;
    switch (result.outcome) {
      case 'success': {
        const mapped = reflexiveAddressOf(result.response);
        if (mapped !== undefined) {
          const previous = this.#mapping;
          this.#mapping = mapped;
          this.flow.setMappedAddress(mapped);
          this.#mapped.emit(mapped);
          if (previous !== undefined && !sameAddress(previous, mapped)) {
            this.#log(
              'info',
              `keepalive ${this.flow.id}: mapping changed ${formatAddress(previous)} → ${formatAddress(mapped)}`,
            );
            this.#fail('mapping-changed');
            return;
          }
        }
        this.#transition('waiting', 'Binding success');
        return;
      }
      case 'error-response':
      case 'invalid-response':
        // The server is there but does not do STUN properly: the flow itself is alive.
        this.#transition('waiting', `Binding ${result.outcome}`);
        return;
      case 'timeout':
      case 'transport-failed':
        this.#fail('keepalive-timeout');
        return;
      case 'cancelled':
        return;
    }
  }

  #pong(): void {
    if (this.#state === 'probing') this.#transition('waiting', 'pong');
  }

  #fail(reason: KeepaliveFailure): void {
    this.#transition('failed', reason);
    this.#failed.emit(reason);
    this.#failed.clear();
    this.flow.close(reason);
  }

  /** The only place the state changes; it owns the timers of each state. */
  #transition(to: KeepaliveState, cause: string): void {
    const from = this.#state;
    const legal =
      (from === 'waiting' && (to === 'probing' || to === 'stopped')) ||
      (from === 'probing' && (to === 'waiting' || to === 'failed' || to === 'stopped'));
    if (!legal) {
      if (from === 'stopped' || from === 'failed') return; // late events after the end are ignored
      throw new Error(`keepalive ${this.flow.id}: illegal transition ${from} → ${to} (${cause})`);
    }
    // Leave `from`: its timer and STUN transaction go.
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#stunAbort?.abort();
    this.#stunAbort = undefined;
    this.#state = to;
    this.#log('debug', `keepalive ${this.flow.id}: ${from} → ${to} (${cause})`);
    switch (to) {
      case 'waiting':
        this.#armInterval();
        return;
      case 'probing':
        if (this.method === 'crlf-pong') {
          this.#timer = this.#clock.setTimer(this.#pongTimeoutMs, () => {
            this.#timer = undefined;
            this.#log('info', `keepalive ${this.flow.id}: no pong within ${this.#pongTimeoutMs} ms`);
            this.#fail('keepalive-timeout');
          });
        }
        return;
      case 'stopped':
      case 'failed':
        for (const s of this.#subscriptions.splice(0)) s.dispose();
        this.#mapped.clear();
        this.#retained.dispose();
        return;
    }
  }
}

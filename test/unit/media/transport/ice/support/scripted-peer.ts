/**
 * Hand-made STUN for the ICE tests: connectivity-check requests built field by field (so a test can get
 * one wrong on purpose), and a minimal ICE-lite responder (RFC 8445 §2.5: answers checks, never sends
 * any).
 */
import type {
  Clock,
  DatagramSocket,
  MemoryHost,
  SocketAddress,
} from '../../../../../../src-main/platform/index.ts';
import {
  StunMethod,
  bindingSuccess,
  checkShortTermRequest,
  decodeStunMessage,
  encodeStunMessage,
  newTransactionId,
  shortTermKey,
} from '../../../../../../src-main/media/stun/index.ts';
import type { DecodedStunMessage, StunAttributes } from '../../../../../../src-main/media/stun/index.ts';

export interface CheckRequestSpec {
  username?: string;
  /** MESSAGE-INTEGRITY made with this password (none when undefined). */
  password?: string;
  priority?: number;
  controlling?: bigint;
  controlled?: bigint;
  useCandidate?: boolean;
  fingerprint?: boolean;
}

export function checkRequest(spec: CheckRequestSpec): Buffer {
  const attributes: StunAttributes = {
    ...(spec.username !== undefined ? { username: spec.username } : {}),
    ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
    ...(spec.controlling !== undefined ? { iceControlling: spec.controlling } : {}),
    ...(spec.controlled !== undefined ? { iceControlled: spec.controlled } : {}),
    ...(spec.useCandidate ? { useCandidate: true } : {}),
  };
  return encodeStunMessage(
    { method: StunMethod.binding, messageClass: 'request', transactionId: newTransactionId(), attributes },
    {
      ...(spec.password !== undefined ? { integrityKey: shortTermKey(spec.password) } : {}),
      fingerprint: spec.fingerprint ?? true,
    },
  );
}

/** An ICE-lite agent on one socket: answers authentic checks, records them, never checks itself. */
export class LiteResponder {
  readonly ufrag = 'liteUfrag';
  readonly pwd = 'litePasswordLitePassword';
  readonly requests: { at: number; from: SocketAddress; message: DecodedStunMessage }[] = [];
  readonly socket: DatagramSocket;
  readonly address: SocketAddress;
  private readonly now: () => number;

  private constructor(socket: DatagramSocket, address: SocketAddress, now: () => number) {
    this.socket = socket;
    this.address = address;
    this.now = now;
    socket.onMessage((data, from) => this.receive(data, from));
  }

  static async start(host: MemoryHost, port: number, now: () => number): Promise<LiteResponder> {
    const address = host.addresses()[0] ?? '0.0.0.0';
    return new LiteResponder(await host.bindDatagram({ family: 4, port }), { address, port, family: 4 }, now);
  }

  close(): void {
    this.socket.close();
  }

  private receive(data: Buffer, from: SocketAddress): void {
    const decoded = decodeStunMessage(data);
    if (!decoded.ok || decoded.message.messageClass !== 'request') return;
    const key = shortTermKey(this.pwd);
    const auth = checkShortTermRequest(decoded.message, this.ufrag, key);
    if (!auth.ok) return;
    this.requests.push({ at: this.now(), from, message: decoded.message });
    this.socket.send(
      encodeStunMessage(bindingSuccess(decoded.message, from), { integrityKey: key, fingerprint: true }),
      from,
    );
  }
}

/**
 * A scripted full agent (controlled) for race tests: it answers every authentic check, but holds its
 * answer to the first one for `holdFirstMs` and meanwhile sends a check of its own — so the agent under
 * test sees its first transaction cancelled by a triggered check (RFC 8445 §7.3.1.4) and answered late.
 */
export class ScriptedPeer {
  readonly ufrag = 'peerUfrag';
  readonly pwd = 'peerPasswordPeerPassword';
  readonly requests: { at: number; useCandidate: boolean }[] = [];
  readonly socket: DatagramSocket;
  readonly address: SocketAddress;
  private readonly clock: Clock;
  private readonly holdFirstMs: number;
  private target: { ufrag: string; pwd: string } | undefined;

  private constructor(socket: DatagramSocket, address: SocketAddress, clock: Clock, holdFirstMs: number) {
    this.socket = socket;
    this.address = address;
    this.clock = clock;
    this.holdFirstMs = holdFirstMs;
    socket.onMessage((data, from) => this.receive(data, from));
  }

  static async start(
    host: MemoryHost,
    port: number,
    clock: Clock,
    holdFirstMs: number,
  ): Promise<ScriptedPeer> {
    const address = host.addresses()[0] ?? '0.0.0.0';
    return new ScriptedPeer(
      await host.bindDatagram({ family: 4, port }),
      { address, port, family: 4 },
      clock,
      holdFirstMs,
    );
  }

  /** The agent's credentials, for the peer's own check. */
  peerOf(credentials: { ufrag: string; pwd: string }): void {
    this.target = credentials;
  }

  close(): void {
    this.socket.close();
  }

  private receive(data: Buffer, from: SocketAddress): void {
    const decoded = decodeStunMessage(data);
    if (!decoded.ok || decoded.message.messageClass !== 'request') return;
    const key = shortTermKey(this.pwd);
    if (!checkShortTermRequest(decoded.message, this.ufrag, key).ok) return;
    const first = this.requests.length === 0;
    this.requests.push({
      at: this.clock.monotonic(),
      useCandidate: decoded.message.attributes.useCandidate === true,
    });
    const answer = encodeStunMessage(bindingSuccess(decoded.message, from), {
      integrityKey: key,
      fingerprint: true,
    });
    if (!first) {
      this.socket.send(answer, from);
      return;
    }
    this.clock.setTimer(this.holdFirstMs, () => this.socket.send(answer, from));
    const target = this.target;
    if (target !== undefined) {
      this.socket.send(
        checkRequest({
          username: `${target.ufrag}:${this.ufrag}`,
          password: target.pwd,
          priority: 1_862_270_975,
          controlled: 1n,
        }),
        from,
      );
    }
  }
}

/**
 * The ICE side of one component's media socket: everything STUN-shaped that arrives on it, routed.
 *
 *   MediaSocket.onStun ──▶ decode ─┬─ from a UDP TURN server of ours ──▶ that TurnRelay (responses, Data)
 *                                  ├─ request ────────────────────────▶ the agent (connectivity checks)
 *                                  ├─ response ───────────────────────▶ the agent's checks, else the
 *                                  │                                    gathering client (STUN servers)
 *                                  └─ anything else: counted, dropped
 *   MediaSocket.onChannelData ────────────────────────────────────────▶ the TurnRelay of that server
 *
 * Sends go out with `MediaSocket.send` on this very socket, so the address checked is the one media uses.
 * The transport does not own the socket (the call does): `dispose()` only drops its subscriptions.
 */
import { DisposableStore } from '../../../../src-shared/util/emitter.ts';
import type { Clock, SocketAddress } from '../../../platform/index.ts';
import { StunClient, decodeStunMessage } from '../../stun/index.ts';
import type { DecodedStunMessage, TurnRelay } from '../../stun/index.ts';
import type { MediaSocket } from '../media-socket.ts';
import type { IceComponent } from './candidate.ts';

export interface ComponentTransportOptions {
  component: IceComponent;
  socket: MediaSocket;
  clock: Clock;
  newTransactionId?: () => Buffer;
  software?: string;
  /** A STUN request arrived (a connectivity check or consent request). */
  onRequest: (message: DecodedStunMessage, from: SocketAddress) => void;
  /** A STUN response arrived; true when it answered one of the agent's checks. */
  onResponse: (message: DecodedStunMessage, from: SocketAddress) => boolean;
}

export interface ComponentTransportStats {
  /** STUN-looking datagrams that did not decode (bad FINGERPRINT, malformed). */
  readonly undecodable: number;
  /** Responses to no transaction of ours, indications from strangers, ChannelData from non-servers. */
  readonly stray: number;
}

export class ComponentTransport {
  readonly component: IceComponent;
  readonly socket: MediaSocket;
  /** Binding requests to STUN servers while gathering (RFC 8445 §5.1.1.2). */
  readonly stun: StunClient;
  private readonly options: ComponentTransportOptions;
  private readonly relays: TurnRelay[] = [];
  private readonly subscriptions = new DisposableStore();
  private undecodable = 0;
  private stray = 0;

  constructor(options: ComponentTransportOptions) {
    this.options = options;
    this.component = options.component;
    this.socket = options.socket;
    this.stun = new StunClient({
      clock: options.clock,
      send: (bytes, to) => this.socket.send(bytes, to),
      reliable: false,
      ...(options.newTransactionId ? { newTransactionId: options.newTransactionId } : {}),
      ...(options.software !== undefined ? { software: options.software } : {}),
    });
    this.subscriptions.add(options.socket.onStun((data, from) => this.receiveStun(data, from)));
    this.subscriptions.add(options.socket.onChannelData((data, from) => this.receiveChannelData(data, from)));
  }

  get stats(): ComponentTransportStats {
    return { undecodable: this.undecodable, stray: this.stray };
  }

  /** A UDP TURN relay allocated from this socket: its server's messages go to it. */
  addRelay(relay: TurnRelay): void {
    this.relays.push(relay);
  }

  send(data: Uint8Array, to: SocketAddress): void {
    if (!this.socket.closed) this.socket.send(data, to);
  }

  dispose(): void {
    this.stun.close();
    this.subscriptions.dispose();
    this.relays.length = 0;
  }

  private receiveStun(data: Buffer, from: SocketAddress): void {
    const decoded = decodeStunMessage(data);
    if (!decoded.ok) {
      this.undecodable++;
      return;
    }
    const message = decoded.message;
    for (const relay of this.relays) if (relay.receiveStun(message, from)) return;
    switch (message.messageClass) {
      case 'request':
        this.options.onRequest(message, from);
        return;
      case 'success':
      case 'error':
        if (this.options.onResponse(message, from)) return;
        if (this.stun.receive(message, from)) return;
        this.stray++;
        return;
      case 'indication':
        this.stray++;
        return;
    }
  }

  private receiveChannelData(data: Buffer, from: SocketAddress): void {
    for (const relay of this.relays) if (relay.receiveChannelData(data, from)) return;
    this.stray++;
  }
}

/**
 * A small STUN/TURN server (RFC 5389 Binding, RFC 5766 Allocate / Refresh / CreatePermission / Send /
 * Data / ChannelBind / ChannelData) on a MemoryHost, for unit tests: the TURN client's, the ICE agent's,
 * the calls', and — behind `StunTestServer`, which owns its RFC 5780 sockets and hands TURN traffic over
 * (`attached`) — the NAT diagnostics'.
 *
 *  - Long-term credentials with a realm and a nonce: 401 challenge, 401 for a wrong password, 438 for a
 *    stale nonce (`rotateNonce`, or `staleNonceOnce` for the first authenticated Allocate).
 *  - Allocate → a relay socket; a retransmitted Allocate gets the same answer, another one on the same
 *    5-tuple 437 Allocation Mismatch; `allocateError` injects 486 / 508 and the like.
 *  - UDP on one port, TCP and TLS listeners optional (RFC 6062-style framing on streams).
 *  - Allocations, permissions (300 s) and channels (600 s) expire on the fake clock, so relayed data stops
 *    when a client forgets to refresh.
 *
 * Every request is logged with its time for schedule assertions.
 */
import type { Disposable } from '../../../../../src-shared/util/emitter.ts';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import type {
  Clock,
  DatagramSocket,
  MemoryHost,
  SocketAddress,
  StreamConnection,
  StreamServer,
  Timer,
} from '../../../../../src-main/platform/index.ts';
import {
  StunMethod,
  StunStreamFramer,
  decodeStunMessage,
  encodeChannelData,
  encodeStunMessage,
  longTermKey,
  newTransactionId,
  verifyMessageIntegrity,
} from '../../../../../src-main/media/stun/index.ts';
import type {
  DecodedStunMessage,
  StunAttributes,
  StunMessage,
} from '../../../../../src-main/media/stun/index.ts';

export type TurnServerTransport = 'udp' | 'tcp' | 'tls';

export interface TurnServerLogEntry {
  readonly at: number;
  readonly transport: TurnServerTransport;
  readonly method: number;
  readonly from: string;
  readonly lifetime?: number | undefined;
  readonly peer?: string | undefined;
  readonly channel?: number | undefined;
  readonly nonce?: string | undefined;
  readonly authenticated: boolean;
}

/** What the TURN side does, wherever its sockets come from. */
export interface TurnBehaviour {
  host: MemoryHost;
  clock: Clock;
  /** Where relay sockets are bound. */
  address: string;
  realm?: string;
  users?: Record<string, string>;
  /** Upper bound of granted lifetimes (default 3600 s). */
  maxLifetimeS?: number;
  /** Answer every Allocate that passes authentication with this error instead (486, 508…). */
  allocateError?: { code: number; reason: string };
  /** Answer the first authenticated Allocate with 438 Stale Nonce and a new nonce. */
  staleNonceOnce?: boolean;
}

export interface MemoryTurnServerOptions extends TurnBehaviour {
  port?: number;
  tcpPort?: number;
  tlsPort?: number;
  /** TLS listener names (the "certificate"). */
  tlsNames?: string[];
  /** The private CA the TLS "certificate" is from (MemoryTlsServerOptions.issuer); default: a public one. */
  tlsIssuer?: string;
}

/** Sends bytes back to the client on the socket or stream the request came in on. */
export type TurnReply = (bytes: Uint8Array) => void;

interface Allocation {
  readonly key: string;
  readonly transport: TurnServerTransport;
  readonly client: SocketAddress;
  readonly reply: TurnReply;
  readonly relay: DatagramSocket;
  readonly relaySubscription: Disposable;
  readonly transactionId: string;
  readonly lifetimeS: number;
  expiry: Timer;
  readonly permissions: Map<string, number>;
  readonly channels: Map<number, { peer: SocketAddress; expiresAt: number }>;
}

export const TURN_PERMISSION_LIFETIME_MS = 300_000;
export const TURN_CHANNEL_LIFETIME_MS = 600_000;

export class MemoryTurnServer {
  readonly log: TurnServerLogEntry[] = [];
  readonly realm: string;
  private readonly options: MemoryTurnServerOptions;
  private readonly users: Record<string, string>;
  private readonly allocations = new Map<string, Allocation>();
  private udp: DatagramSocket | undefined;
  private readonly listeners: StreamServer[] = [];
  private readonly connections = new Set<StreamConnection>();
  private readonly streamKeys = new WeakMap<StreamConnection, string>();
  private nextStream = 1;
  private nonceCount = 1;
  private nonce = 'nonce-1';
  private staleNonceSent = false;
  /** Data relayed client → peer and peer → client. */
  relayedToPeers = 0;
  relayedToClients = 0;
  droppedWithoutPermission = 0;

  private constructor(options: MemoryTurnServerOptions) {
    this.options = options;
    this.realm = options.realm ?? 'lab.test';
    this.users = options.users ?? { alice: 'turn-secret' };
  }

  /** A STUN/TURN server on sockets of its own: UDP `port`, TCP and TLS listeners when asked for. */
  static async start(options: MemoryTurnServerOptions): Promise<MemoryTurnServer> {
    const server = new MemoryTurnServer(options);
    const udp = await options.host.bindDatagram({
      family: 4,
      address: options.address,
      port: options.port ?? 3478,
    });
    server.udp = udp;
    udp.onMessage((data, from) => server.receive('udp', data, from, (bytes) => udp.send(bytes, from)));
    if (options.tcpPort !== undefined) await server.listen('tcp', options.tcpPort);
    if (options.tlsPort !== undefined) await server.listen('tls', options.tlsPort);
    return server;
  }

  /**
   * The TURN side alone, for a server that owns its sockets and hands over what is TURN's: `receive`
   * for datagrams and stream frames, `receiveChannelData` for stream ChannelData, `connectionClosed`.
   */
  static attached(behaviour: TurnBehaviour): MemoryTurnServer {
    return new MemoryTurnServer(behaviour);
  }

  get address(): SocketAddress {
    return { address: this.options.address, port: this.options.port ?? 3478, family: 4 };
  }

  addressOf(transport: TurnServerTransport): SocketAddress {
    const port =
      transport === 'udp'
        ? (this.options.port ?? 3478)
        : transport === 'tcp'
          ? this.options.tcpPort
          : this.options.tlsPort;
    if (port === undefined) throw new Error(`no ${transport} listener`);
    return { address: this.options.address, port, family: 4 };
  }

  /** Live allocations. */
  get allocationCount(): number {
    return this.allocations.size;
  }

  relayedAddresses(): string[] {
    return [...this.allocations.values()].map((a) => formatAddress(a.relay.local));
  }

  permissionsOf(relayed: string): string[] {
    const allocation = [...this.allocations.values()].find((a) => formatAddress(a.relay.local) === relayed);
    const now = this.options.clock.monotonic();
    return allocation ? [...allocation.permissions].filter(([, at]) => at > now).map(([ip]) => ip) : [];
  }

  /** Change the nonce: the next request with the old one gets 438 Stale Nonce. */
  rotateNonce(nonce: string): void {
    this.nonce = nonce;
  }

  requests(method: number): TurnServerLogEntry[] {
    return this.log.filter((e) => e.method === method);
  }

  close(): void {
    for (const allocation of [...this.allocations.values()]) this.deleteAllocation(allocation);
    this.udp?.close();
    for (const listener of this.listeners) listener.close();
    for (const connection of this.connections) connection.close();
  }

  /**
   * One datagram (STUN or ChannelData) or one STUN frame of a stream from a client; `connection` is the
   * stream it came on.
   */
  receive(
    transport: TurnServerTransport,
    data: Buffer,
    from: SocketAddress,
    reply: TurnReply,
    connection?: StreamConnection,
  ): void {
    const key = connection ? this.streamKey(transport, connection) : `udp|${formatAddress(from)}`;
    const first = data[0] ?? 0xff;
    if (transport === 'udp' && first >= 0x40 && first <= 0x4f) {
      if (data.length < 4) return;
      const length = data.readUInt16BE(2);
      this.channelFromClient(this.allocations.get(key), data.readUInt16BE(0), data.subarray(4, 4 + length));
      return;
    }
    const decoded = decodeStunMessage(data);
    if (!decoded.ok) return;
    const message = decoded.message;
    if (message.messageClass === 'indication') {
      if (message.method === StunMethod.send) this.sendIndication(this.allocations.get(key), message);
      return;
    }
    if (message.messageClass !== 'request') return;
    const entry = (authenticated: boolean): void => {
      this.log.push({
        at: this.options.clock.monotonic(),
        transport,
        method: message.method,
        from: formatAddress(from),
        lifetime: message.attributes.lifetime,
        peer: message.attributes.xorPeerAddress
          ? formatAddress(message.attributes.xorPeerAddress)
          : undefined,
        channel: message.attributes.channelNumber,
        nonce: message.attributes.nonce,
        authenticated,
      });
    };
    if (message.method === StunMethod.binding) {
      entry(false);
      reply(
        encodeStunMessage(response(message, 'success', { xorMappedAddress: from }), { fingerprint: true }),
      );
      return;
    }
    const challenge = (code: 401 | 438, reason: string): void => {
      entry(false);
      reply(
        encodeStunMessage(
          response(message, 'error', {
            errorCode: { code, reason },
            realm: this.realm,
            nonce: this.nonce,
          }),
          { fingerprint: true },
        ),
      );
    };
    // Long-term credentials (RFC 5389 §10.2.2).
    const { username, realm, nonce } = message.attributes;
    const password = username === undefined ? undefined : this.users[username];
    if (
      message.messageIntegrity === undefined ||
      username === undefined ||
      password === undefined ||
      realm !== this.realm
    )
      return challenge(401, 'Unauthorized');
    const keyBytes = longTermKey(username, this.realm, password);
    if (!verifyMessageIntegrity(message.bytes, keyBytes)) return challenge(401, 'Unauthorized');
    if (nonce !== this.nonce) return challenge(438, 'Stale Nonce');
    if (this.options.staleNonceOnce && !this.staleNonceSent && message.method === StunMethod.allocate) {
      this.staleNonceSent = true;
      this.nonce = `nonce-${++this.nonceCount}`;
      return challenge(438, 'Stale Nonce');
    }
    entry(true);
    const signed = (m: StunMessage): void =>
      reply(encodeStunMessage(m, { integrityKey: keyBytes, fingerprint: true }));
    const allocation = this.allocations.get(key);
    const mismatch = (): void =>
      signed(response(message, 'error', { errorCode: { code: 437, reason: 'Allocation Mismatch' } }));
    switch (message.method) {
      case StunMethod.allocate:
        if (allocation) {
          // RFC 5766 §6.2: a retransmission gets the same answer; any other Allocate on the 5-tuple is 437.
          if (allocation.transactionId !== message.transactionId.toString('hex')) return mismatch();
          return signed(
            response(message, 'success', {
              xorRelayedAddress: allocation.relay.local,
              xorMappedAddress: from,
              lifetime: allocation.lifetimeS,
            }),
          );
        }
        if (this.options.allocateError) {
          const { code, reason } = this.options.allocateError;
          return signed(response(message, 'error', { errorCode: { code, reason } }));
        }
        void this.allocate(key, transport, from, reply, message, signed);
        return;
      case StunMethod.refresh: {
        if (!allocation) return mismatch();
        const lifetime = Math.min(message.attributes.lifetime ?? 600, this.options.maxLifetimeS ?? 3600);
        if (lifetime === 0) this.deleteAllocation(allocation);
        else this.armExpiry(allocation, lifetime);
        return signed(response(message, 'success', { lifetime }));
      }
      case StunMethod.createPermission: {
        const peer = message.attributes.xorPeerAddress;
        if (!allocation || !peer) return mismatch();
        allocation.permissions.set(
          peer.address,
          this.options.clock.monotonic() + TURN_PERMISSION_LIFETIME_MS,
        );
        return signed(response(message, 'success', {}));
      }
      case StunMethod.channelBind: {
        const peer = message.attributes.xorPeerAddress;
        const channel = message.attributes.channelNumber;
        if (!allocation || !peer || channel === undefined || channel < 0x4000 || channel > 0x4fff) {
          return signed(response(message, 'error', { errorCode: { code: 400, reason: 'Bad Request' } }));
        }
        const now = this.options.clock.monotonic();
        allocation.channels.set(channel, { peer, expiresAt: now + TURN_CHANNEL_LIFETIME_MS });
        allocation.permissions.set(peer.address, now + TURN_PERMISSION_LIFETIME_MS);
        return signed(response(message, 'success', {}));
      }
      default:
        return signed(response(message, 'error', { errorCode: { code: 400, reason: 'Bad Request' } }));
    }
  }

  /** ChannelData framed on a stream (RFC 5766 §11.5). */
  receiveChannelData(
    transport: TurnServerTransport,
    connection: StreamConnection,
    channel: number,
    data: Buffer,
  ): void {
    this.channelFromClient(this.allocations.get(this.streamKey(transport, connection)), channel, data);
  }

  /** A client's stream closed: its allocation goes with it. */
  connectionClosed(transport: TurnServerTransport, connection: StreamConnection): void {
    const allocation = this.allocations.get(this.streamKey(transport, connection));
    if (allocation) this.deleteAllocation(allocation);
  }

  private async listen(transport: 'tcp' | 'tls', port: number): Promise<void> {
    const server = await this.options.host.listen({
      family: 4,
      address: this.options.address,
      port,
      ...(transport === 'tls'
        ? {
            tls: {
              cert: '',
              key: '',
              names: this.options.tlsNames ?? ['turn.lab.test'],
              ...(this.options.tlsIssuer !== undefined && { issuer: this.options.tlsIssuer }),
            },
          }
        : {}),
    } as Parameters<MemoryHost['listen']>[0]);
    this.listeners.push(server);
    server.onConnection((connection) => {
      this.connections.add(connection);
      const framer = new StunStreamFramer();
      const reply: TurnReply = (bytes) => connection.write(bytes);
      connection.onData((chunk) => {
        const result = framer.push(chunk);
        for (const frame of result.frames) {
          if (frame.kind === 'stun')
            this.receive(transport, frame.bytes, connection.remote, reply, connection);
          else this.receiveChannelData(transport, connection, frame.channel, frame.data);
        }
      });
      connection.onClose(() => {
        this.connections.delete(connection);
        this.connectionClosed(transport, connection);
      });
    });
  }

  private streamKey(transport: TurnServerTransport, connection: StreamConnection): string {
    let key = this.streamKeys.get(connection);
    if (key === undefined) {
      key = `${transport}#${this.nextStream++}`;
      this.streamKeys.set(connection, key);
    }
    return key;
  }

  private async allocate(
    key: string,
    transport: TurnServerTransport,
    client: SocketAddress,
    reply: TurnReply,
    message: DecodedStunMessage,
    signed: (m: StunMessage) => void,
  ): Promise<void> {
    const relay = await this.options.host.bindDatagram({ family: 4, address: this.options.address });
    const lifetimeS = Math.min(message.attributes.lifetime ?? 600, this.options.maxLifetimeS ?? 3600);
    const allocation: Allocation = {
      key,
      transport,
      client,
      reply,
      relay,
      relaySubscription: relay.onMessage((data, from) => this.fromPeer(allocation, data, from)),
      transactionId: message.transactionId.toString('hex'),
      lifetimeS,
      expiry: this.options.clock.setTimer(lifetimeS * 1000, () => this.deleteAllocation(allocation)),
      permissions: new Map(),
      channels: new Map(),
    };
    this.allocations.set(key, allocation);
    signed(
      response(message, 'success', {
        xorRelayedAddress: relay.local,
        xorMappedAddress: client,
        lifetime: lifetimeS,
      }),
    );
  }

  private armExpiry(allocation: Allocation, lifetimeS: number): void {
    allocation.expiry.cancel();
    allocation.expiry = this.options.clock.setTimer(lifetimeS * 1000, () =>
      this.deleteAllocation(allocation),
    );
  }

  private deleteAllocation(allocation: Allocation): void {
    allocation.expiry.cancel();
    allocation.relaySubscription.dispose();
    allocation.relay.close();
    this.allocations.delete(allocation.key);
  }

  private permitted(allocation: Allocation, ip: string): boolean {
    return (allocation.permissions.get(ip) ?? 0) > this.options.clock.monotonic();
  }

  private sendIndication(allocation: Allocation | undefined, message: DecodedStunMessage): void {
    const peer = message.attributes.xorPeerAddress;
    const data = message.attributes.data;
    if (!allocation || !peer || !data) return;
    if (!this.permitted(allocation, peer.address)) {
      this.droppedWithoutPermission++;
      return;
    }
    this.relayedToPeers++;
    allocation.relay.send(data, peer);
  }

  private channelFromClient(allocation: Allocation | undefined, number: number, data: Buffer): void {
    const channel = allocation?.channels.get(number);
    if (!allocation || !channel || channel.expiresAt <= this.options.clock.monotonic()) return;
    this.relayedToPeers++;
    allocation.relay.send(data, channel.peer);
  }

  private fromPeer(allocation: Allocation, data: Buffer, from: SocketAddress): void {
    if (!this.permitted(allocation, from.address)) {
      this.droppedWithoutPermission++;
      return;
    }
    this.relayedToClients++;
    const now = this.options.clock.monotonic();
    const channel = [...allocation.channels].find(
      ([, c]) => c.expiresAt > now && c.peer.address === from.address && c.peer.port === from.port,
    );
    if (channel) {
      allocation.reply(encodeChannelData(channel[0], data, allocation.transport !== 'udp'));
      return;
    }
    allocation.reply(
      encodeStunMessage(
        {
          method: StunMethod.data,
          messageClass: 'indication',
          transactionId: newTransactionId(),
          attributes: { xorPeerAddress: from, data },
        },
        { fingerprint: true },
      ),
    );
  }
}

function response(
  request: StunMessage,
  messageClass: 'success' | 'error',
  attributes: StunAttributes,
): StunMessage {
  return { method: request.method, messageClass, transactionId: request.transactionId, attributes };
}

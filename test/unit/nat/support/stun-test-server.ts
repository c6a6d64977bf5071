/**
 * A STUN/TURN server for unit tests on the in-memory network, with the behaviours coturn has and the
 * failures we must report:
 *
 *  - RFC 5780 with two addresses and two ports: four UDP sockets P:p, P:a, A:p, A:a; OTHER-ADDRESS,
 *    RESPONSE-ORIGIN, CHANGE-REQUEST (answered from the changed socket), RESPONSE-PORT;
 *  - or a plain RFC 5389 server (one socket, no OTHER-ADDRESS), optionally one that ignores
 *    CHANGE-REQUEST (answers from the primary socket) or refuses it with 420;
 *  - TURN (RFC 5766) on the primary UDP socket and on optional TCP / TLS listeners: long-term credentials
 *    (401 challenge, 401 for a wrong password, 438 for a stale nonce), Allocate → a relay socket,
 *    Refresh (LIFETIME 0 deletes), 437 for a second Allocate, injected 486 / 508.
 *
 * It uses our codec (validated separately against RFC 5769) and keeps a log of what it received.
 */
import { DisposableStore } from '../../../../src-shared/util/emitter.ts';
import type {
  DatagramSocket,
  MemoryHost,
  SocketAddress,
  StreamConnection,
  StreamServer,
} from '../../../../src-main/platform/index.ts';
import {
  StunMethod,
  StunStreamFramer,
  decodeStunMessage,
  encodeStunMessage,
  longTermKey,
  verifyMessageIntegrity,
} from '../../../../src-main/media/stun/index.ts';
import type {
  DecodedStunMessage,
  StunAttributes,
  StunMessage,
} from '../../../../src-main/media/stun/index.ts';

export interface TurnServerBehaviour {
  realm: string;
  users: Record<string, string>;
  /** LIFETIME granted when the request names none (default 600). */
  defaultLifetimeS?: number;
  /** Answer every Allocate that passes authentication with this error instead. */
  allocateError?: { code: number; reason: string };
  /** Answer the first authenticated Allocate with 438 and a fresh nonce. */
  staleNonceOnce?: boolean;
}

export interface StunTestServerOptions {
  host: MemoryHost;
  primary: { address: string; port: number };
  /** Present: an RFC 5780 server with this alternate address and port. */
  alternate?: { address: string; port: number };
  /**
   * What to do with CHANGE-REQUEST: 'honour' (default with `alternate`), 'ignore' (answer from the socket
   * asked; the default of a plain RFC 5389 server, and a broken RFC 5780 one), 'refuse' (420).
   */
  changeRequest?: 'honour' | 'ignore' | 'refuse';
  /** Honour RESPONSE-PORT (default true when RFC 5780). */
  responsePort?: boolean;
  turn?: TurnServerBehaviour;
  /** TCP listener port (STUN + TURN) on the primary address. */
  tcpPort?: number;
  /** TLS listener on the primary address: port and the names its certificate is valid for. */
  tls?: { port: number; names: string[] };
  software?: string;
}

export interface ReceivedRequest {
  transport: 'udp' | 'tcp' | 'tls';
  local: SocketAddress;
  from: SocketAddress;
  message: DecodedStunMessage;
}

interface Allocation {
  key: string;
  relay: DatagramSocket;
  transactionId: string;
}

type Reply = (
  message: StunMessage,
  options?: { integrityKey?: Buffer; via?: DatagramSocket; to?: SocketAddress },
) => void;

export class StunTestServer {
  readonly log: ReceivedRequest[] = [];
  readonly allocations = new Map<string, Allocation>();
  private readonly options: StunTestServerOptions;
  private readonly sockets = new Map<string, DatagramSocket>();
  private readonly listeners: StreamServer[] = [];
  private readonly connections = new Set<StreamConnection>();
  private readonly subscriptions = new DisposableStore();
  private nonceCounter = 0;
  private currentNonce = 'nonce-0';
  private staleSent = false;

  private constructor(options: StunTestServerOptions) {
    this.options = options;
  }

  static async start(options: StunTestServerOptions): Promise<StunTestServer> {
    const server = new StunTestServer(options);
    await server.open();
    return server;
  }

  get primary(): SocketAddress {
    return { ...this.options.primary, family: 4 };
  }

  /** Close every socket, listener, connection and relay. */
  close(): void {
    this.subscriptions.dispose();
    for (const socket of this.sockets.values()) socket.close();
    for (const listener of this.listeners) listener.close();
    for (const connection of this.connections) connection.close();
    for (const allocation of this.allocations.values()) allocation.relay.close();
    this.allocations.clear();
  }

  /** Requests received of a method. */
  requests(method: number): ReceivedRequest[] {
    return this.log.filter((r) => r.message.method === method);
  }

  private get rfc5780(): boolean {
    return this.options.alternate !== undefined;
  }

  private async open(): Promise<void> {
    const { host, primary, alternate } = this.options;
    const endpoints = [primary];
    if (alternate) {
      endpoints.push(
        { address: primary.address, port: alternate.port },
        { address: alternate.address, port: primary.port },
        alternate,
      );
    }
    for (const at of endpoints) {
      const socket = await host.bindDatagram({ family: 4, address: at.address, port: at.port });
      this.sockets.set(`${at.address}:${at.port}`, socket);
      this.subscriptions.add(socket.onMessage((data, from) => this.onDatagram(socket, data, from)));
    }
    if (this.options.tcpPort !== undefined) await this.listen(this.options.tcpPort, undefined);
    if (this.options.tls !== undefined) await this.listen(this.options.tls.port, this.options.tls.names);
  }

  private async listen(port: number, names: string[] | undefined): Promise<void> {
    const listener = await this.options.host.listen({
      family: 4,
      address: this.options.primary.address,
      port,
      ...(names ? { tls: { cert: 'test', key: 'test', names } } : {}),
    });
    this.listeners.push(listener);
    const transport = names ? 'tls' : 'tcp';
    this.subscriptions.add(
      listener.onConnection((connection) => {
        this.connections.add(connection);
        const framer = new StunStreamFramer();
        connection.onClose(() => {
          this.connections.delete(connection);
          this.deleteAllocation(`${transport}|${connection.remote.address}:${connection.remote.port}`);
        });
        connection.onData((chunk) => {
          const result = framer.push(chunk);
          for (const frame of result.frames) {
            if (frame.kind !== 'stun') continue;
            const decoded = decodeStunMessage(frame.bytes);
            if (!decoded.ok || decoded.message.messageClass !== 'request') continue;
            const reply: Reply = (message, options) =>
              connection.write(
                encodeStunMessage(message, {
                  ...(options?.integrityKey ? { integrityKey: options.integrityKey } : {}),
                  fingerprint: true,
                }),
              );
            this.handle(transport, connection.local, connection.remote, decoded.message, reply);
          }
        });
      }),
    );
  }

  private onDatagram(socket: DatagramSocket, data: Buffer, from: SocketAddress): void {
    const decoded = decodeStunMessage(data);
    if (!decoded.ok || decoded.message.messageClass !== 'request') return;
    const reply: Reply = (message, options) => {
      const via = options?.via ?? socket;
      via.send(
        encodeStunMessage(message, {
          ...(options?.integrityKey ? { integrityKey: options.integrityKey } : {}),
          fingerprint: true,
        }),
        options?.to ?? from,
      );
    };
    this.handle('udp', socket.local, from, decoded.message, reply, socket);
  }

  private handle(
    transport: 'udp' | 'tcp' | 'tls',
    local: SocketAddress,
    from: SocketAddress,
    request: DecodedStunMessage,
    reply: Reply,
    socket?: DatagramSocket,
  ): void {
    this.log.push({ transport, local, from, message: request });
    switch (request.method) {
      case StunMethod.binding:
        return this.binding(transport, local, from, request, reply, socket);
      case StunMethod.allocate:
      case StunMethod.refresh:
        return this.turnRequest(transport, from, request, reply);
      default:
        reply(error(request, 400, 'Bad Request'));
    }
  }

  private binding(
    transport: 'udp' | 'tcp' | 'tls',
    local: SocketAddress,
    from: SocketAddress,
    request: DecodedStunMessage,
    reply: Reply,
    socket: DatagramSocket | undefined,
  ): void {
    const change = request.attributes.changeRequest;
    const wantsChange = change !== undefined && (change.changeIp || change.changePort);
    const responsePort = request.attributes.responsePort;
    const changeMode = this.options.changeRequest ?? (this.rfc5780 ? 'honour' : 'ignore');
    if (changeMode === 'refuse' && change !== undefined) {
      return reply(error(request, 420, 'Unknown Attribute', { unknownAttributes: [0x0003] }));
    }
    if (responsePort !== undefined && (!this.rfc5780 || this.options.responsePort === false)) {
      return reply(error(request, 420, 'Unknown Attribute', { unknownAttributes: [0x0027] }));
    }
    let via = socket;
    let origin = local;
    if (this.rfc5780 && changeMode === 'honour' && wantsChange && transport === 'udp' && socket) {
      const alternate = this.options.alternate ?? this.options.primary;
      const address = change.changeIp
        ? local.address === alternate.address
          ? this.options.primary.address
          : alternate.address
        : local.address;
      const port = change.changePort
        ? local.port === alternate.port
          ? this.options.primary.port
          : alternate.port
        : local.port;
      via = this.sockets.get(`${address}:${port}`);
      origin = { address, port, family: 4 };
    }
    const attributes: StunAttributes = { xorMappedAddress: from, responseOrigin: origin };
    if (this.rfc5780 && this.options.alternate) {
      attributes.otherAddress = { ...this.options.alternate, family: 4 };
    }
    if (this.options.software !== undefined) attributes.software = this.options.software;
    const response: StunMessage = {
      method: StunMethod.binding,
      messageClass: 'success',
      transactionId: request.transactionId,
      attributes,
    };
    const to = responsePort !== undefined ? { ...from, port: responsePort } : from;
    reply(response, { ...(via ? { via } : {}), to });
  }

  private allocationKey(transport: string, from: SocketAddress): string {
    return `${transport}|${from.address}:${from.port}`;
  }

  private turnRequest(
    transport: 'udp' | 'tcp' | 'tls',
    from: SocketAddress,
    request: DecodedStunMessage,
    reply: Reply,
  ): void {
    const turn = this.options.turn;
    if (!turn) return reply(error(request, 400, 'Bad Request'));
    const challenge = (code: number, reason: string): void =>
      reply(error(request, code, reason, { realm: turn.realm, nonce: this.currentNonce }));
    const { username, realm, nonce } = request.attributes;
    if (request.messageIntegrity === undefined || username === undefined)
      return challenge(401, 'Unauthorized');
    const password = turn.users[username];
    if (password === undefined || realm !== turn.realm) return challenge(401, 'Unauthorized');
    const key = longTermKey(username, turn.realm, password);
    if (!verifyMessageIntegrity(request.bytes, key)) return challenge(401, 'Unauthorized');
    if (nonce !== this.currentNonce) return challenge(438, 'Stale Nonce');
    if (turn.staleNonceOnce && !this.staleSent && request.method === StunMethod.allocate) {
      this.staleSent = true;
      this.currentNonce = `nonce-${++this.nonceCounter}`;
      return challenge(438, 'Stale Nonce');
    }
    const signedReply = (message: StunMessage): void => reply(message, { integrityKey: key });
    const allocationKey = this.allocationKey(transport, from);
    const existing = this.allocations.get(allocationKey);

    if (request.method === StunMethod.allocate) {
      if (existing) {
        // A retransmission of the same request gets the same answer; another Allocate is a mismatch.
        if (existing.transactionId === request.transactionId.toString('hex'))
          return signedReply(this.allocateSuccess(request, existing, from));
        return signedReply(error(request, 437, 'Allocation Mismatch'));
      }
      if (turn.allocateError)
        return signedReply(error(request, turn.allocateError.code, turn.allocateError.reason));
      void this.options.host
        .bindDatagram({ family: 4, address: this.options.primary.address })
        .then((relay) => {
          const allocation: Allocation = {
            key: allocationKey,
            relay,
            transactionId: request.transactionId.toString('hex'),
          };
          this.allocations.set(allocationKey, allocation);
          signedReply(this.allocateSuccess(request, allocation, from));
        });
      return;
    }
    // Refresh
    if (!existing) return signedReply(error(request, 437, 'Allocation Mismatch'));
    const lifetime = request.attributes.lifetime ?? turn.defaultLifetimeS ?? 600;
    if (lifetime === 0) this.deleteAllocation(allocationKey);
    signedReply({
      method: StunMethod.refresh,
      messageClass: 'success',
      transactionId: request.transactionId,
      attributes: { lifetime },
    });
  }

  private allocateSuccess(
    request: DecodedStunMessage,
    allocation: Allocation,
    from: SocketAddress,
  ): StunMessage {
    return {
      method: StunMethod.allocate,
      messageClass: 'success',
      transactionId: request.transactionId,
      attributes: {
        xorRelayedAddress: allocation.relay.local,
        xorMappedAddress: from,
        lifetime: Math.min(request.attributes.lifetime ?? this.options.turn?.defaultLifetimeS ?? 600, 3600),
        ...(this.options.software !== undefined ? { software: this.options.software } : {}),
      },
    };
  }

  private deleteAllocation(key: string): void {
    const allocation = this.allocations.get(key);
    if (!allocation) return;
    allocation.relay.close();
    this.allocations.delete(key);
  }
}

function error(request: StunMessage, code: number, reason: string, extra: StunAttributes = {}): StunMessage {
  return {
    method: request.method,
    messageClass: 'error',
    transactionId: request.transactionId,
    attributes: { errorCode: { code, reason }, ...extra },
  };
}

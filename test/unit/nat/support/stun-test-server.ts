/**
 * A STUN/TURN server for unit tests on the in-memory network, with the behaviours coturn has and the
 * failures we must report:
 *
 *  - RFC 5780 with two addresses and two ports: four UDP sockets P:p, P:a, A:p, A:a; OTHER-ADDRESS,
 *    RESPONSE-ORIGIN, CHANGE-REQUEST (answered from the changed socket), RESPONSE-PORT;
 *  - or a plain RFC 5389 server (one socket, no OTHER-ADDRESS), optionally one that ignores
 *    CHANGE-REQUEST (answers from the primary socket) or refuses it with 420;
 *  - TURN (RFC 5766) on the same sockets and on optional TCP / TLS listeners: everything that is not a
 *    Binding request goes to the tests' one TURN server logic, `MemoryTurnServer` (long-term credentials,
 *    Allocate/Refresh/permissions/channels, 437, injected 486 / 508, stale nonces).
 *
 * It uses our codec (validated separately against RFC 5769) and keeps a log of the requests it received.
 */
import { DisposableStore } from '../../../../src-shared/util/emitter.ts';
import type {
  Clock,
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
} from '../../../../src-main/media/stun/index.ts';
import type {
  DecodedStunMessage,
  StunAttributes,
  StunMessage,
} from '../../../../src-main/media/stun/index.ts';
import { MemoryTurnServer } from '../../media/stun/support/memory-turn-server.ts';
import type { TurnBehaviour, TurnServerTransport } from '../../media/stun/support/memory-turn-server.ts';

/** TURN on the server's addresses: who may allocate, and what to refuse (see `MemoryTurnServer`). */
export type TurnServerBehaviour = Omit<TurnBehaviour, 'host' | 'clock' | 'address'>;

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
  /** Needed with `turn`: allocations, permissions and channels expire on it. */
  clock?: Clock;
  /** TCP listener port (STUN + TURN) on the primary address. */
  tcpPort?: number;
  /**
   * TLS listener on the primary address: port, the names its certificate is valid for, and the private CA
   * that issued it (MemoryTlsServerOptions.issuer; default a public one).
   */
  tls?: { port: number; names: string[]; issuer?: string };
  software?: string;
}

export interface ReceivedRequest {
  transport: TurnServerTransport;
  local: SocketAddress;
  from: SocketAddress;
  message: DecodedStunMessage;
}

type Reply = (message: StunMessage, options?: { via?: DatagramSocket; to?: SocketAddress }) => void;

export class StunTestServer {
  readonly log: ReceivedRequest[] = [];
  /** The TURN side, when the options asked for one. */
  readonly turn: MemoryTurnServer | undefined;
  private readonly options: StunTestServerOptions;
  private readonly sockets = new Map<string, DatagramSocket>();
  private readonly listeners: StreamServer[] = [];
  private readonly connections = new Set<StreamConnection>();
  private readonly subscriptions = new DisposableStore();

  private constructor(options: StunTestServerOptions) {
    this.options = options;
    if (options.turn !== undefined) {
      if (options.clock === undefined) throw new Error('a StunTestServer with TURN needs the clock');
      this.turn = MemoryTurnServer.attached({
        ...options.turn,
        host: options.host,
        clock: options.clock,
        address: options.primary.address,
      });
    }
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
    this.turn?.close();
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
    if (this.options.tls !== undefined)
      await this.listen(this.options.tls.port, this.options.tls.names, this.options.tls.issuer);
  }

  private async listen(port: number, names: string[] | undefined, issuer?: string): Promise<void> {
    const listener = await this.options.host.listen({
      family: 4,
      address: this.options.primary.address,
      port,
      ...(names
        ? { tls: { cert: 'test', key: 'test', names, ...(issuer !== undefined && { issuer }) } }
        : {}),
    });
    this.listeners.push(listener);
    const transport = names ? 'tls' : 'tcp';
    this.subscriptions.add(
      listener.onConnection((connection) => {
        this.connections.add(connection);
        const framer = new StunStreamFramer();
        connection.onClose(() => {
          this.connections.delete(connection);
          this.turn?.connectionClosed(transport, connection);
        });
        const turnReply = (bytes: Uint8Array): void => connection.write(bytes);
        connection.onData((chunk) => {
          const result = framer.push(chunk);
          for (const frame of result.frames) {
            if (frame.kind === 'channel-data') {
              this.turn?.receiveChannelData(transport, connection, frame.channel, frame.data);
              continue;
            }
            const reply: Reply = (message) =>
              connection.write(encodeStunMessage(message, { fingerprint: true }));
            this.handle(transport, connection.local, connection.remote, frame.bytes, reply, (bytes) =>
              this.turn?.receive(transport, bytes, connection.remote, turnReply, connection),
            );
          }
        });
      }),
    );
  }

  private onDatagram(socket: DatagramSocket, data: Buffer, from: SocketAddress): void {
    const reply: Reply = (message, options) =>
      (options?.via ?? socket).send(encodeStunMessage(message, { fingerprint: true }), options?.to ?? from);
    this.handle(
      'udp',
      socket.local,
      from,
      data,
      reply,
      (bytes) => this.turn?.receive('udp', bytes, from, (out) => socket.send(out, from)),
      socket,
    );
  }

  /** Binding requests are this server's; the rest (TURN requests, indications, ChannelData) is TURN's. */
  private handle(
    transport: TurnServerTransport,
    local: SocketAddress,
    from: SocketAddress,
    data: Buffer,
    reply: Reply,
    toTurn: (data: Buffer) => void,
    socket?: DatagramSocket,
  ): void {
    const decoded = decodeStunMessage(data);
    const request = decoded.ok && decoded.message.messageClass === 'request' ? decoded.message : undefined;
    if (request !== undefined) this.log.push({ transport, local, from, message: request });
    if (request?.method === StunMethod.binding)
      return this.binding(transport, local, from, request, reply, socket);
    if (this.turn !== undefined) return toTurn(data);
    if (request !== undefined) reply(error(request, 400, 'Bad Request'));
  }

  private binding(
    transport: TurnServerTransport,
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
}

function error(request: StunMessage, code: number, reason: string, extra: StunAttributes = {}): StunMessage {
  return {
    method: request.method,
    messageClass: 'error',
    transactionId: request.transactionId,
    attributes: { errorCode: { code, reason }, ...extra },
  };
}

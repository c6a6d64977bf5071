/**
 * A STUN endpoint: the `StunClient` of one transport plus the routing of what else arrives on it
 * (requests to answer, indications), wired to a datagram socket or a stream.
 *
 *   dedicated UDP socket   stunOverDatagramSocket(socket, …)     every datagram is offered as STUN
 *   shared UDP socket      new StunEndpoint(…) + demux.on('stun', (d, f) => endpoint.receive(d, f))
 *                          (the ICE agent next to RTP, the SIP transport next to SIP — RFC 7983)
 *   TCP / TLS stream       stunOverStream(connection, …)         framed per RFC 5389 §7.2.2
 *
 * An endpoint never closes the socket or stream it was given; disposing it cancels its transactions and
 * drops its subscriptions.
 */
import { DisposableStore, Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { Clock, DatagramSocket, SocketAddress, StreamConnection } from '../../platform/index.ts';
import { StunClient } from './client.ts';
import type { StunClientOptions } from './client.ts';
import { decodeStunMessage, encodeStunMessage } from './message.ts';
import type { DecodedStunMessage, StunEncodeOptions, StunMessage } from './message.ts';
import { StunStreamFramer } from './stream-framer.ts';

export interface StunEndpointOptions {
  clock: Clock;
  send: (bytes: Buffer, to: SocketAddress) => void;
  reliable: boolean;
  timing?: StunClientOptions['timing'];
  software?: string;
  newTransactionId?: () => Buffer;
}

export interface ReceivedStun {
  message: DecodedStunMessage;
  from: SocketAddress;
}

export class StunEndpoint implements Disposable {
  readonly client: StunClient;
  private readonly sendBytes: (bytes: Buffer, to: SocketAddress) => void;
  private readonly requests = new Emitter<ReceivedStun>();
  private readonly indications = new Emitter<ReceivedStun>();
  private readonly owned = new DisposableStore();
  private discardedCount = 0;
  private disposed = false;

  constructor(options: StunEndpointOptions) {
    this.sendBytes = options.send;
    this.client = new StunClient(options);
  }

  /** Datagrams or frames that were not STUN, did not decode, or answered no transaction of ours. */
  get discarded(): number {
    return this.discardedCount;
  }

  /** Offer received bytes (one datagram, or one stream frame). */
  receive(data: Buffer, from: SocketAddress): void {
    if (this.disposed) return;
    const decoded = decodeStunMessage(data);
    if (!decoded.ok) {
      this.discardedCount++;
      return;
    }
    this.receiveMessage(decoded.message, from);
  }

  /** Offer an already decoded message. */
  receiveMessage(message: DecodedStunMessage, from: SocketAddress): void {
    if (this.disposed) return;
    switch (message.messageClass) {
      case 'request':
        if (this.requests.listenerCount === 0) this.discardedCount++;
        else this.requests.emit({ message, from });
        return;
      case 'indication':
        if (this.indications.listenerCount === 0) this.discardedCount++;
        else this.indications.emit({ message, from });
        return;
      case 'success':
      case 'error':
        if (!this.client.receive(message, from)) this.discardedCount++;
        return;
    }
  }

  /** Requests from others (ICE checks to answer, a hairpinned NAT test…). */
  onRequest(listener: (received: ReceivedStun) => void): Disposable {
    return this.requests.on(listener);
  }

  onIndication(listener: (received: ReceivedStun) => void): Disposable {
    return this.indications.on(listener);
  }

  /** Send a response or an indication (no transaction). */
  send(message: StunMessage, to: SocketAddress, options: StunEncodeOptions = {}): void {
    if (this.disposed) throw new Error('send on a disposed STUN endpoint');
    this.sendBytes(encodeStunMessage(message, options), to);
  }

  /** Tie a subscription's lifetime to this endpoint. */
  own(disposable: Disposable): void {
    this.owned.add(disposable);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.client.close();
    this.owned.dispose();
    this.requests.clear();
    this.indications.clear();
  }
}

/** An endpoint that takes every datagram of `socket` (a socket used for STUN only). */
export function stunOverDatagramSocket(
  socket: DatagramSocket,
  options: Omit<StunEndpointOptions, 'send' | 'reliable'>,
): StunEndpoint {
  const endpoint = new StunEndpoint({
    ...options,
    reliable: false,
    send: (bytes, to) => socket.send(bytes, to),
  });
  endpoint.own(socket.onMessage((data, from) => endpoint.receive(data, from)));
  return endpoint;
}

export interface StunStreamOptions extends Omit<StunEndpointOptions, 'send' | 'reliable'> {
  /** TURN ChannelData arriving on the stream (default: counted as discarded). */
  onChannelData?: (channel: number, data: Buffer) => void;
  /** The stream is unusable (closed, or bytes that cannot be framed). */
  onFailure?: (reason: string) => void;
}

/**
 * An endpoint on a TCP/TLS connection. Its client does not retransmit (RFC 5389 §7.2.2); a connection
 * that closes or carries unframeable bytes fails every pending transaction.
 */
export function stunOverStream(connection: StreamConnection, options: StunStreamOptions): StunEndpoint {
  const endpoint = new StunEndpoint({ ...options, reliable: true, send: (bytes) => connection.write(bytes) });
  const framer = new StunStreamFramer();
  const fail = (reason: string): void => {
    endpoint.client.transportFailed(reason);
    options.onFailure?.(reason);
  };
  endpoint.own(
    connection.onData((chunk) => {
      const result = framer.push(chunk);
      for (const frame of result.frames) {
        if (frame.kind === 'stun') endpoint.receive(frame.bytes, connection.remote);
        else options.onChannelData?.(frame.channel, frame.data);
      }
      if (!result.ok) fail(result.reason);
    }),
  );
  endpoint.own(
    connection.onClose((error) => fail(error ? `connection closed: ${error.message}` : 'connection closed')),
  );
  return endpoint;
}

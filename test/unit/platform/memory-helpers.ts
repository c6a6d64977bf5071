/** Small helpers shared by the in-memory network tests. */
import { expect } from 'vitest';
import type {
  DatagramSocket,
  FakeClock,
  MemoryHost,
  MemoryNetwork,
  SocketAddress,
} from '../../../src-main/platform/index.ts';

export function at(address: string, port: number): SocketAddress {
  return { address, port, family: address.includes(':') ? 6 : 4 };
}

export interface Received {
  text: string;
  from: SocketAddress;
  at: number;
}

/** A bound UDP socket plus everything it received and every error it saw. */
export interface Endpoint {
  socket: DatagramSocket;
  received: Received[];
  errors: Error[];
  send(text: string, to: SocketAddress): void;
}

export async function endpoint(
  clock: FakeClock,
  host: MemoryHost,
  port = 0,
  address?: string,
  family: 4 | 6 = address?.includes(':') || (address === undefined && !host.primaryAddress(4)) ? 6 : 4,
): Promise<Endpoint> {
  const socket = await host.bindDatagram({ family, port, ...(address === undefined ? {} : { address }) });
  const received: Received[] = [];
  const errors: Error[] = [];
  socket.onMessage((data, from) => received.push({ text: data.toString(), from, at: clock.monotonic() }));
  socket.onError((e) => errors.push(e));
  return { socket, received, errors, send: (text, to) => socket.send(Buffer.from(text), to) };
}

/** The leak check every in-memory test ends with. */
export function expectNoLeaks(net: MemoryNetwork, clock: FakeClock): void {
  expect(net.openSockets()).toBe(0);
  expect(clock.pendingTimers()).toBe(0);
}

/** Let microtasks (promise continuations, deferred events) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

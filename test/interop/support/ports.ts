/**
 * Free-port allocation for peers on loopback.
 *
 * Ports come from 20000–32000, below Linux's ephemeral range (32768–60999), so a port we hand out is not
 * taken a moment later by some client socket the kernel binds. A port is handed out only when it can be
 * bound for both UDP and TCP on every requested address, and it is reserved across processes with a
 * file `<RUN_ROOT>/ports/<port>` (created exclusively, holding the owner's PID) so parallel or following
 * test processes never get the same one. Reservations of dead owners are reclaimed.
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { isAlive, RUN_ROOT } from './workdir.ts';

export const PORT_RANGE = { first: 20000, last: 32000 } as const;

const PORTS_DIR = path.join(RUN_ROOT, 'ports');
const held = new Set<number>();

export interface PortRequest {
  /** How many consecutive ports (default 1), e.g. 2 for coturn's listening port and its +1 alternate. */
  count?: number;
  /** Addresses that must have the ports free (default ['127.0.0.1']). */
  addresses?: readonly string[];
}

/** Reserve `count` consecutive ports free for UDP and TCP on all `addresses`; returns the first. */
export async function allocatePorts(request: PortRequest = {}): Promise<number> {
  const count = request.count ?? 1;
  const addresses = request.addresses ?? ['127.0.0.1'];
  mkdirSync(PORTS_DIR, { recursive: true });
  const span = PORT_RANGE.last - PORT_RANGE.first - count;
  const start = PORT_RANGE.first + Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const first = PORT_RANGE.first + ((start - PORT_RANGE.first + i) % span);
    const reserved: number[] = [];
    let ok = true;
    for (let port = first; port < first + count; port++) {
      if (!reserve(port)) {
        ok = false;
        break;
      }
      reserved.push(port);
      if (!(await bindable(port, addresses))) {
        ok = false;
        break;
      }
    }
    if (ok) return first;
    for (const port of reserved) releasePort(port);
  }
  throw new Error(`no ${count} free consecutive port(s) in ${PORT_RANGE.first}-${PORT_RANGE.last}`);
}

/** One free port on 127.0.0.1 (UDP and TCP). */
export function allocatePort(addresses?: readonly string[]): Promise<number> {
  return allocatePorts({ count: 1, ...(addresses ? { addresses } : {}) });
}

/** Give a reserved port back (idempotent). Reservations also lapse when this process exits. */
export function releasePort(port: number): void {
  if (!held.delete(port)) return;
  rmSync(path.join(PORTS_DIR, String(port)), { force: true });
}

/** Ports this process holds now. */
export function heldPorts(): number[] {
  return [...held].sort((a, b) => a - b);
}

function reserve(port: number): boolean {
  const file = path.join(PORTS_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(port);
      return true;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        // vanished meanwhile: retry
      }
      if (isAlive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

async function bindable(port: number, addresses: readonly string[]): Promise<boolean> {
  for (const address of addresses) {
    if (!(await udpBindable(port, address)) || !(await tcpBindable(port, address))) return false;
  }
  return true;
}

function udpBindable(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, address, () => socket.close(() => resolve(true)));
  });
}

function tcpBindable(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allocatePort,
  allocatePorts,
  heldPorts,
  PORT_RANGE,
  releasePort,
  RUN_ROOT,
} from '../support/index.ts';

const taken: number[] = [];
afterEach(() => {
  for (const port of taken.splice(0)) releasePort(port);
});

describe('ports: free-port allocation on loopback', () => {
  it('hands out distinct ports below the ephemeral range, reserved with our PID', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => allocatePort()));
    taken.push(...ports);
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(PORT_RANGE.first);
      expect(port).toBeLessThanOrEqual(PORT_RANGE.last);
      expect(readFileSync(path.join(RUN_ROOT, 'ports', String(port)), 'utf8')).toBe(String(process.pid));
    }
    expect(heldPorts()).toEqual(expect.arrayContaining(ports));
  });

  it('returns a port that binds for both UDP and TCP', async () => {
    const port = await allocatePort();
    taken.push(port);
    await new Promise<void>((resolve, reject) => {
      const udp = createSocket('udp4');
      udp.once('error', reject);
      udp.bind(port, '127.0.0.1', () => {
        const tcp = createServer();
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => tcp.close(() => udp.close(() => resolve())));
      });
    });
  });

  it('skips a port someone else is bound to', async () => {
    const first = await allocatePort();
    releasePort(first);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(first, '127.0.0.1', () => resolve()));
    try {
      const ports = await Promise.all(Array.from({ length: 50 }, () => allocatePort()));
      taken.push(...ports);
      expect(ports).not.toContain(first);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('allocates consecutive blocks free on two loopback addresses', async () => {
    const first = await allocatePorts({ count: 4, addresses: ['127.0.0.1', '127.0.0.2'] });
    taken.push(first, first + 1, first + 2, first + 3);
    expect(heldPorts()).toEqual(expect.arrayContaining([first, first + 1, first + 2, first + 3]));
  });

  it('release removes the reservation file', async () => {
    const port = await allocatePort();
    const file = path.join(RUN_ROOT, 'ports', String(port));
    expect(existsSync(file)).toBe(true);
    releasePort(port);
    expect(existsSync(file)).toBe(false);
    expect(heldPorts()).not.toContain(port);
  });
});

/**
 * A real `Phone` on the fake platform (no store, no sockets), plus the "future" contract the desktop
 * adapter is tested against: today's contract and
 * calls commands shaped as planned by the calls/accounts work.
 */
import { z } from 'zod';
import { commands, events, command } from '../../../../src-shared/ipc/index.ts';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import { Phone } from '../../../../src-main/phone/index.ts';

export function testPhone(): { phone: Phone; clock: FakeClock } {
  const clock = new FakeClock();
  const phone = new Phone({
    host: 'electron',
    dataDir: '/nonexistent',
    clock,
    network: new MemoryNetwork(clock).host('192.0.2.10'),
    resolver: new FakeResolver(),
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
  });
  return { phone, clock };
}

const CallRef = z.strictObject({ callId: z.string().min(1).max(256) });

export const futureContract = {
  commands: {
    ...commands,
    'calls.answer': command('answer', CallRef, z.null()),
    'calls.reject': command('reject', CallRef, z.null()),
    'calls.hangup': command('hangup', CallRef, z.null()),
    'calls.mute': command(
      'mute',
      z.strictObject({ callId: z.string().min(1).max(256), muted: z.boolean() }),
      z.null(),
    ),
  },
  events: { ...events },
};

/** The contract as it was before `app.navigate` / `app.dialRequest` existed: the adapter's fallback path. */
export const contractWithoutAppRequests = {
  commands: { ...commands },
  events: Object.fromEntries(
    Object.entries(events).filter(([name]) => name !== 'app.navigate' && name !== 'app.dialRequest'),
  ),
};

/** Handlers for the planned calls commands, installed on a phone that does not have them yet. */
export function installCallHandlers(phone: Phone) {
  const calls: Array<[string, unknown]> = [];
  const table = phone.handlers as unknown as Record<string, (req: unknown) => unknown>;
  for (const name of ['calls.answer', 'calls.reject', 'calls.hangup', 'calls.mute']) {
    table[name] = (req: unknown) => {
      calls.push([name, req]);
      return null;
    };
  }
  return calls;
}

/** Emit an event the contract may not have yet. */
export function emitRaw(phone: Phone, name: string, payload: unknown): void {
  phone.events.emit({ name, payload } as never);
}

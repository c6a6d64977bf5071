import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  referenceStunBinding,
  referenceStunClient,
  referenceTurnAllocation,
  startCoturn,
  type CoturnServer,
} from '../support/index.ts';

let turn: CoturnServer;

beforeAll(async () => {
  turn = await startCoturn({
    users: [{ user: 'alice', password: 'turn-secret' }],
    realm: 'lab.test',
    altAddress: '127.0.0.2',
  });
});

afterAll(async () => {
  await turn?.dispose();
});

describe('coturn on loopback (two addresses for RFC 5780)', () => {
  it('answers a STUN Binding with the reflexive address and the RFC 5780 other address', async () => {
    const binding = await referenceStunBinding(undefined, undefined, {
      address: turn.address,
      port: turn.port,
    });
    expect(binding.reflexiveAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(binding.otherAddress).toBe(`127.0.0.2:${turn.port + 1}`);
  });

  it('lets the classic stun client run its RFC 3489 tests (no NAT on loopback: "Open")', async () => {
    const result = await referenceStunClient(undefined, undefined, {
      address: turn.address,
      port: turn.port,
    });
    expect(result.summary).toBe('Open');
    expect(result.verdict).toBe('open');
    expect(result.natType).toBe('open-internet');
    expect(result.mappedAddresses.length).toBeGreaterThan(0);
  });

  it('allocates TURN relays with long-term credentials and relays data between them', async () => {
    const result = await referenceTurnAllocation(
      undefined,
      undefined,
      { address: turn.address, port: turn.port },
      { user: 'alice', password: 'turn-secret' },
    );
    expect(result.ok, result.output).toBe(true);
    for (const relay of result.relayAddresses) {
      const port = Number(relay.split(':')[1]);
      expect(relay.startsWith('127.0.0.1:')).toBe(true);
      expect(port).toBeGreaterThanOrEqual(turn.relayPorts[0]);
      expect(port).toBeLessThanOrEqual(turn.relayPorts[1]);
    }
    expect(result.receivedMessages).toBe(result.sentMessages);
    expect(result.lostPercent).toBe(0);
  });

  it('refuses an allocation with a wrong password', async () => {
    const result = await referenceTurnAllocation(
      undefined,
      undefined,
      { address: turn.address, port: turn.port },
      { user: 'alice', password: 'wrong', messages: 1 },
    );
    expect(result.ok).toBe(false);
    expect(result.relayAddresses).toEqual([]);
    expect(turn.log()).toMatch(/user alice credentials are incorrect/);
  });

  it('stops and starts again on the same ports', async () => {
    await turn.stop();
    expect(turn.isRunning()).toBe(false);
    await turn.start();
    const binding = await referenceStunBinding(undefined, undefined, {
      address: turn.address,
      port: turn.port,
    });
    expect(binding.reflexiveAddress).toMatch(/^127\.0\.0\.1:/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../src-main/platform/index.ts';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
} from '../../../../src-main/sip/transaction/index.ts';
import { RecordingServerChannel, context, request, response } from './helpers.ts';

let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock();
});

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

describe('InviteServerTransaction (RFC 3261 §17.2.1, RFC 6026 §7.1)', () => {
  function start(reliable = false) {
    const channel = new RecordingServerChannel(clock, reliable);
    const events: string[] = [];
    const tx = new InviteServerTransaction(context(clock), request('INVITE'), channel, {
      timeout: () => events.push('timeout'),
      transportError: (e) => events.push(`transport-error ${e.code}`),
    });
    tx.start();
    return { channel, events, tx };
  }

  it('sends 100 Trying after 200 ms when the TU has not answered', () => {
    const { channel, tx } = start();
    clock.advance(199);
    expect(channel.sends).toEqual([]);
    clock.advance(1);
    expect(channel.sends).toEqual([{ at: 200, status: 100 }]);
    tx.abort('done');
  });

  it('sends no 100 when the TU answers within 200 ms', () => {
    const { channel, tx } = start();
    clock.advance(50);
    tx.respond(response(tx.request, 180));
    clock.advance(1000);
    expect(channel.sends).toEqual([{ at: 50, status: 180 }]);
    tx.abort('done');
  });

  it('answers a retransmitted INVITE with the latest provisional', () => {
    const { channel, tx } = start();
    tx.receiveRequest(); // nothing sent yet: nothing to repeat
    tx.respond(response(tx.request, 180));
    tx.respond(response(tx.request, 183));
    tx.receiveRequest();
    expect(channel.sends.map((s) => s.status)).toEqual([180, 183, 183]);
    tx.abort('done');
  });

  it('Timer G retransmits a non-2xx final at 500, 1000, 2000, 4000, 4000… until Timer H (64·T1) ends it', () => {
    const { channel, events, tx } = start();
    tx.respond(response(tx.request, 486));
    expect(tx.state).toBe('completed');
    clock.advance(31_999);
    expect(channel.times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tx.end).toEqual({ kind: 'timeout' });
    expect(events).toEqual(['timeout']);
  });

  it('the ACK stops G and H; Confirmed absorbs ACKs for Timer I = T4', () => {
    const { channel, events, tx } = start();
    tx.respond(response(tx.request, 404));
    clock.advance(600);
    expect(tx.receiveAck()).toBe(false);
    expect(tx.state).toBe('confirmed');
    tx.receiveAck();
    clock.advance(4_999);
    expect(tx.state).toBe('confirmed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tx.end).toEqual({ kind: 'completed' });
    expect(channel.times).toEqual([0, 500]);
    expect(events).toEqual([]);
  });

  it('over TCP: no G retransmissions, H still 64·T1, Timer I = 0', () => {
    const { channel, tx } = start(true);
    tx.respond(response(tx.request, 480));
    clock.advance(10_000);
    expect(channel.times).toEqual([0]);
    tx.receiveAck();
    expect(tx.state).toBe('confirmed');
    clock.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('a 2xx moves to Accepted: INVITE retransmissions are absorbed, TU 2xx retransmissions sent, ACK passed up, Timer L = 64·T1', () => {
    const { channel, tx } = start();
    const ok = response(tx.request, 200);
    tx.respond(ok);
    expect(tx.state).toBe('accepted');
    tx.receiveRequest();
    clock.advance(500);
    expect(tx.respond(ok)).toBe(true);
    expect(channel.sends.map((s) => s.status)).toEqual([200, 200]);
    expect(tx.receiveAck()).toBe(true);
    expect(() => tx.respond(response(tx.request, 486))).toThrow(/after a 2xx/);
    clock.advance(31_499);
    expect(tx.state).toBe('accepted');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tx.respond(ok)).toBe(false);
  });

  it('a provisional after a non-2xx final is a TU bug and throws', () => {
    const { tx } = start();
    tx.respond(response(tx.request, 500));
    expect(() => tx.respond(response(tx.request, 180))).toThrow(/after the final response/);
    expect(() => tx.respond(response(tx.request, 600))).toThrow();
    tx.abort('done');
  });

  it('a transport error terminates it and informs the TU (§17.2.4)', () => {
    const { events, tx } = start();
    tx.transportError({ code: 'flow-closed', reason: 'x' });
    expect(tx.state).toBe('terminated');
    expect(events).toEqual(['transport-error flow-closed']);
  });
});

describe('NonInviteServerTransaction (RFC 3261 §17.2.2)', () => {
  function start(reliable = false) {
    const channel = new RecordingServerChannel(clock, reliable);
    const tx = new NonInviteServerTransaction(context(clock), request('BYE'), channel);
    tx.start();
    return { channel, tx };
  }

  it('discards retransmissions in Trying, then repeats the last response; Timer J = 64·T1 over UDP', () => {
    const { channel, tx } = start();
    tx.receiveRequest();
    expect(channel.sends).toEqual([]);
    clock.advance(100);
    tx.respond(response(tx.request, 200));
    expect(tx.state).toBe('completed');
    clock.advance(1000);
    tx.receiveRequest();
    tx.receiveRequest();
    expect(channel.sends).toEqual([
      { at: 100, status: 200 },
      { at: 1100, status: 200 },
      { at: 1100, status: 200 },
    ]);
    clock.advance(30_999);
    expect(tx.state).toBe('completed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('Proceeding repeats the latest provisional for a retransmission', () => {
    const { channel, tx } = start();
    tx.respond(response(tx.request, 100));
    expect(tx.state).toBe('proceeding');
    tx.receiveRequest();
    expect(channel.sends.map((s) => s.status)).toEqual([100, 100]);
    tx.respond(response(tx.request, 202));
    expect(tx.state).toBe('completed');
    tx.abort('done');
  });

  it('Timer J is 0 over TCP', () => {
    const { tx } = start(true);
    tx.respond(response(tx.request, 200));
    clock.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('discards a second final response and throws for a provisional after the final', () => {
    const { channel, tx } = start();
    tx.respond(response(tx.request, 200));
    expect(tx.respond(response(tx.request, 500))).toBe(false);
    expect(() => tx.respond(response(tx.request, 180))).toThrow(/provisional/);
    expect(channel.sends.map((s) => s.status)).toEqual([200]);
    tx.abort('done');
  });
});

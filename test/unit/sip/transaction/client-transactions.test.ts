import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../src-main/platform/index.ts';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
} from '../../../../src-main/sip/transaction/index.ts';
import { RecordingClientChannel, context, recordingUser, reparse, request, response } from './helpers.ts';

let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock();
});

afterEach(() => {
  expect(clock.pendingTimers()).toBe(0);
});

describe('InviteClientTransaction (RFC 3261 §17.1.1, RFC 6026 §7.2)', () => {
  function start(reliable = false) {
    const channel = new RecordingClientChannel(clock, reliable);
    const tu = recordingUser();
    const tx = new InviteClientTransaction(context(clock), request('INVITE'), channel, tu.user);
    tx.start();
    return { channel, tu, tx };
  }

  it('over UDP retransmits at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and times out at 32000 (64·T1)', () => {
    const { channel, tu, tx } = start();
    clock.advance(31_999);
    expect(channel.times).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(tx.state).toBe('calling');
    expect(tu.events).toEqual([]);
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tx.end).toEqual({ kind: 'timeout' });
    expect(tu.events).toEqual(['timeout']);
    expect(channel.sends).toHaveLength(7);
  });

  it('over TCP sends once and still times out at 64·T1 (Timer B)', () => {
    const { channel, tu, tx } = start(true);
    clock.advance(32_000);
    expect(channel.times).toEqual([0]);
    expect(tx.state).toBe('terminated');
    expect(tu.events).toEqual(['timeout']);
  });

  it('stops retransmitting on a provisional and then waits without a timer for the final response', () => {
    const { channel, tu, tx } = start();
    clock.advance(600);
    tx.receiveResponse(response(tx.request, 180));
    expect(tx.state).toBe('proceeding');
    clock.advance(100_000);
    expect(channel.times).toEqual([0, 500]);
    expect(clock.pendingTimers()).toBe(0);
    tx.receiveResponse(response(tx.request, 486));
    expect(tu.events).toEqual(['response 180', 'response 486']);
    expect(tx.state).toBe('completed');
    tx.abort('test over');
  });

  it('ACKs a non-2xx final with the same branch, absorbs retransmissions for Timer D = 32 s over UDP', () => {
    const { channel, tu, tx } = start();
    const final = response(tx.request, 486);
    tx.receiveResponse(final);
    expect(tx.state).toBe('completed');
    expect(channel.what).toEqual(['INVITE', 'ACK']);
    const ack = reparse(channel.sends[1]!.bytes);
    if (ack.kind !== 'request') throw new Error('not a request');
    // §17.1.1.3: same branch (one Via equal to the INVITE's top Via), To of the response, CSeq n ACK.
    expect(ack.vias).toHaveLength(1);
    expect(ack.topVia.branch).toBe('z9hG4bK-test-1');
    expect(ack.to.tag).toBe('ttag');
    expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.uri).toEqual(tx.request.uri);
    clock.advance(10_000);
    tx.receiveResponse(final); // retransmission: ACK again, not passed up
    expect(channel.what).toEqual(['INVITE', 'ACK', 'ACK']);
    expect(tu.events).toEqual(['response 486']);
    clock.advance(21_999);
    expect(tx.state).toBe('completed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tx.end).toEqual({ kind: 'completed' });
  });

  it('Timer D is 0 over a reliable transport', () => {
    const { tx } = start(true);
    tx.receiveResponse(response(tx.request, 603));
    expect(tx.state).toBe('completed');
    clock.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('a 2xx moves to Accepted; further 2xx (forks) go up until Timer M = 64·T1 (RFC 6026)', () => {
    const { channel, tu, tx } = start();
    clock.advance(200);
    tx.receiveResponse(response(tx.request, 200, 'fork-a'));
    expect(tx.state).toBe('accepted');
    tx.receiveResponse(response(tx.request, 200, 'fork-b'));
    tx.receiveResponse(response(tx.request, 180, 'fork-c')); // not a 2xx: dropped in Accepted
    expect(tu.events).toEqual(['response 200', 'response 200']);
    expect(channel.what).toEqual(['INVITE']); // the ACK for a 2xx is the TU's
    clock.advance(31_999);
    expect(tx.state).toBe('accepted');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('a failed send is a transport error (§17.1.4)', () => {
    const channel = new RecordingClientChannel(clock);
    channel.fail = { code: 'flow-closed', reason: 'gone' };
    const tu = recordingUser();
    const tx = new InviteClientTransaction(context(clock), request('INVITE'), channel, tu.user);
    tx.start();
    expect(tx.state).toBe('terminated');
    expect(tx.end).toEqual({ kind: 'transport-error', error: { code: 'flow-closed', reason: 'gone' } });
    expect(tu.events).toEqual(['transport-error flow-closed']);
  });

  it('logs every transition as from → to (cause) and rejects illegal moves', () => {
    const log: string[] = [];
    const channel = new RecordingClientChannel(clock);
    const tx = new InviteClientTransaction(
      context(clock, log),
      request('INVITE'),
      channel,
      recordingUser().user,
    );
    tx.start();
    tx.receiveResponse(response(tx.request, 100));
    expect(log).toContain('debug ICT z9hG4bK-test-1: calling → proceeding (100 received)');
    tx.abort('done');
    expect(() => tx.start()).toThrow(/started twice/);
  });
});

describe('NonInviteClientTransaction (RFC 3261 §17.1.2)', () => {
  function start(reliable = false) {
    const channel = new RecordingClientChannel(clock, reliable);
    const tu = recordingUser();
    const tx = new NonInviteClientTransaction(context(clock), request('OPTIONS'), channel, tu.user);
    tx.start();
    return { channel, tu, tx };
  }

  it('over UDP sends at intervals 500, 1000, 2000, 4000, 4000… (capped at T2) and times out at 32 s', () => {
    const { channel, tu, tx } = start();
    clock.advance(31_999);
    expect(channel.times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tu.events).toEqual(['timeout']);
  });

  it('in Proceeding retransmits every T2 from the instant Timer E was due, and keeps Timer F', () => {
    const { channel, tu, tx } = start();
    clock.advance(700);
    tx.receiveResponse(response(tx.request, 100));
    expect(tx.state).toBe('proceeding');
    clock.advance(31_299);
    // E was due at 1500 (armed in Trying); from then on every T2 = 4000.
    expect(channel.times).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500]);
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(tu.events).toEqual(['response 100', 'timeout']);
  });

  it('over TCP sends once, times out at 32 s', () => {
    const { channel, tx } = start(true);
    clock.advance(32_000);
    expect(channel.times).toEqual([0]);
    expect(tx.state).toBe('terminated');
  });

  it('Completed absorbs retransmitted finals for Timer K = T4 over UDP', () => {
    const { channel, tu, tx } = start();
    clock.advance(600);
    const ok = response(tx.request, 200);
    tx.receiveResponse(ok);
    tx.receiveResponse(ok);
    expect(tu.events).toEqual(['response 200']);
    clock.advance(4_999);
    expect(tx.state).toBe('completed');
    expect(channel.times).toEqual([0, 500]);
    clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('Timer K is 0 over TCP', () => {
    const { tx } = start(true);
    tx.receiveResponse(response(tx.request, 404));
    clock.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('refuses INVITE and ACK', () => {
    const channel = new RecordingClientChannel(clock);
    expect(
      () => new NonInviteClientTransaction(context(clock), request('INVITE'), channel, recordingUser().user),
    ).toThrow();
    expect(
      () => new NonInviteClientTransaction(context(clock), request('ACK'), channel, recordingUser().user),
    ).toThrow();
  });
});

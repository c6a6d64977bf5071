/**
 * ladderOf (src-shared): the per-call ladder diagram the renderer draws, from SIP log entries captured by
 * the SiplogService for a hand-built call flow with a retransmitted INVITE and a retransmitted 180.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ladderOf } from '../../../src-shared/model/siplog-ladder.ts';
import type { SipLogEntry } from '../../../src-shared/model/siplog.ts';
import { FakeClock } from '../../../src-main/platform/index.ts';
import { SiplogService } from '../../../src-main/phone/index.ts';
import { bytesOf, callFlow, registration, wire } from './siplog-flow.ts';

const T0 = 1_700_000_000_000;
const clock = new FakeClock({ now: T0 });
const services: SiplogService[] = [];

afterEach(() => {
  for (const s of services.splice(0)) s.close();
  expect(clock.pendingTimers()).toBe(0);
});

/** The call flow and a registration interleaved, captured by a real service. */
function captured(): SipLogEntry[] {
  const s = new SiplogService({ clock, emit: () => {} });
  services.push(s);
  let now = 0;
  const [register, ok] = registration('reg-1');
  for (const [i, { after, wire: w }] of callFlow().entries()) {
    clock.advance(after - now);
    now = after;
    s.record(w);
    if (i === 2) s.record(register!);
    if (i === 3) s.record(ok!);
  }
  return s.recent({});
}

describe('ladderOf', () => {
  it('lays out INVITE/100/180/200/ACK/BYE/200 with our address first and marks the retransmissions', () => {
    const entries = captured();
    const ladder = ladderOf(entries, 'call-1@192.0.2.10');
    expect(ladder.callId).toBe('call-1@192.0.2.10');
    expect(ladder.participants).toEqual([
      { address: '192.0.2.10:5060', local: true },
      { address: '203.0.113.5:5060', local: false },
      { address: '198.51.100.7:5060', local: false },
    ]);
    const bySeq = new Map(entries.map((e) => [e.seq, e]));
    expect(
      ladder.arrows.map((a) => [
        a.from,
        a.to,
        a.label,
        a.offsetMs,
        bySeq.get(a.entrySeq)?.startLine.split(' ')[0],
        a.retransmission,
        a.retransmissionOf,
      ]),
    ).toEqual([
      [0, 1, 'INVITE (SDP)', 0, 'INVITE', false, null],
      [0, 1, 'INVITE (SDP)', 500, 'INVITE', true, 0],
      [1, 0, '100 Trying', 520, 'SIP/2.0', false, null],
      [1, 0, '180 Ringing', 700, 'SIP/2.0', false, null],
      [1, 0, '180 Ringing', 1700, 'SIP/2.0', true, 4],
      [1, 0, '200 OK (SDP)', 4000, 'SIP/2.0', false, null],
      [0, 1, 'ACK', 4010, 'ACK', false, null],
      [2, 0, 'BYE', 9000, 'BYE', false, null],
      [0, 2, '200 OK', 9001, 'SIP/2.0', false, null],
    ]);
    // The registration interleaved with the call is not part of its ladder.
    expect(ladder.arrows.map((a) => a.entrySeq)).toEqual([0, 1, 2, 4, 6, 7, 8, 9, 10]);
    expect(ladder.arrows[0]).toEqual({
      from: 0,
      to: 1,
      label: 'INVITE (SDP)',
      at: entries[0]!.at,
      offsetMs: 0,
      entrySeq: 0,
      kind: 'request',
      method: 'INVITE',
      status: null,
      transport: 'udp',
      retransmission: false,
      retransmissionOf: null,
    });
    expect(ladder.arrows[5]).toMatchObject({ kind: 'response', method: 'INVITE', status: 200 });
  });

  it('is the same whatever order the entries come in, and empty for an unknown Call-ID', () => {
    const entries = captured();
    expect(ladderOf([...entries].reverse(), 'call-1@192.0.2.10')).toEqual(
      ladderOf(entries, 'call-1@192.0.2.10'),
    );
    expect(ladderOf(entries, 'nope')).toEqual({ callId: 'nope', participants: [], arrows: [] });
  });

  it('shows invalid messages without treating them as retransmissions, and the same 180 in the other direction as new', () => {
    const s = new SiplogService({ clock, emit: () => {} });
    services.push(s);
    const flow = callFlow('call-2');
    const broken = 'SIP/2.0 180 Ringing\r\nCall-ID: call-2\r\nCSeq: 1 INVITE\r\n\r\n';
    s.record(flow[0]!.wire);
    s.record({ ...wire('in', bytesOf(broken)), rejected: 'missing Via' });
    s.record({ ...wire('in', bytesOf(broken)), rejected: 'missing Via' });
    s.record(flow[3]!.wire); // 180 in
    s.record({ ...flow[3]!.wire, direction: 'out' }); // the same bytes going out (a B2BUA relaying it)
    const arrows = ladderOf(s.recent({}), 'call-2').arrows;
    expect(arrows.map((a) => [a.kind, a.label, a.retransmission])).toEqual([
      ['request', 'INVITE (SDP)', false],
      ['invalid', 'invalid: SIP/2.0 180 Ringing', false],
      ['invalid', 'invalid: SIP/2.0 180 Ringing', false],
      ['response', '180 Ringing', false],
      ['response', '180 Ringing', false],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src-main/platform/index.ts';
import {
  OutgoingTransfer,
  SessionUpdateClient,
  TRANSFER_WAIT_MS,
  endedNormally,
  historyResultOf,
  reasonForStatus,
  sessionTimerHeaders,
  uasSessionTimer,
  uacSessionTimer,
} from '../../../src-main/call/index.ts';
import type { SessionUpdateOutcome } from '../../../src-main/call/index.ts';
import type { CallTransfer } from '../../../src-shared/model/call.ts';
import { parseMessage } from '../../../src-main/sip/syntax/index.ts';
import type { SipRequest, SipResponse } from '../../../src-main/sip/syntax/index.ts';

function request(extra: string, method = 'INVITE', body = ''): SipRequest {
  const text = `${method} sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-1\r\nFrom: <sip:b@192.0.2.2>;tag=1\r\nTo: <sip:a@192.0.2.1>\r\nCall-ID: c1\r\nCSeq: 1 ${method}\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad request');
  return r.message;
}

function response(extra: string): SipResponse {
  const text = `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-1\r\nFrom: <sip:b@192.0.2.2>;tag=1\r\nTo: <sip:a@192.0.2.1>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n${extra}Content-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'response') throw new Error('bad response');
  return r.message;
}

describe('end reasons and call-log results', () => {
  it('maps final statuses to reasons', () => {
    expect(
      [486, 600, 603, 404, 604, 484, 480, 408, 488, 606, 401, 407, 487, 500, 502, 503, 403, 415].map(
        (s) => reasonForStatus(s, 'X').kind,
      ),
    ).toEqual([
      'busy',
      'busy',
      'declined',
      'not-found',
      'not-found',
      'not-found',
      'unavailable',
      'timeout',
      'no-common-codec',
      'no-common-codec',
      'auth-failed',
      'auth-failed',
      'cancelled',
      'server-error',
      'server-error',
      'server-error',
      'rejected',
      'rejected',
    ]);
    expect(reasonForStatus(486, 'Busy Here')).toEqual({ kind: 'busy', text: '486 Busy Here' });
  });

  it('results for the call log', () => {
    const r = (kind: Parameters<typeof historyResultOf>[2]['kind']) => ({ kind, text: '' });
    expect(historyResultOf('outgoing', true, r('remote-hangup'))).toBe('answered');
    expect(historyResultOf('incoming', true, r('no-ack'))).toBe('answered');
    expect(historyResultOf('incoming', false, r('remote-cancelled'))).toBe('missed');
    expect(historyResultOf('incoming', false, r('no-answer'))).toBe('missed');
    expect(historyResultOf('incoming', false, r('declined'))).toBe('rejected');
    expect(historyResultOf('incoming', false, r('busy'))).toBe('rejected');
    expect(historyResultOf('incoming', false, r('no-common-codec'))).toBe('failed');
    expect(historyResultOf('outgoing', false, r('cancelled'))).toBe('cancelled');
    expect(historyResultOf('outgoing', false, r('no-answer'))).toBe('failed');
    expect(historyResultOf('outgoing', false, r('busy'))).toBe('busy');
    expect(historyResultOf('outgoing', false, r('declined'))).toBe('rejected');
    expect(historyResultOf('outgoing', false, r('not-found'))).toBe('failed');
    expect(endedNormally(true, r('transferred'))).toBe(true);
    expect(endedNormally(true, r('no-ack'))).toBe(false);
    expect(endedNormally(false, r('local-hangup'))).toBe(false);
  });
});

describe('session timer negotiation (RFC 4028 §9, §7.2)', () => {
  it('UAS decisions', () => {
    expect(uasSessionTimer(request(''))).toEqual({ kind: 'none' });
    expect(uasSessionTimer(request('Session-Expires: 60\r\n'))).toEqual({ kind: 'too-small', minSec: 90 });
    expect(uasSessionTimer(request('Session-Expires: 1800\r\n'))).toEqual({
      kind: 'use',
      seconds: 1800,
      refresher: 'uas',
      require: false,
    });
    expect(uasSessionTimer(request('Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n'))).toEqual({
      kind: 'use',
      seconds: 1800,
      refresher: 'uac',
      require: true,
    });
    // Without support in the UAC, only the UAS can refresh.
    expect(uasSessionTimer(request('Session-Expires: 1800;refresher=uac\r\n'))).toEqual({
      kind: 'use',
      seconds: 1800,
      refresher: 'uas',
      require: false,
    });
    expect(sessionTimerHeaders({ kind: 'use', seconds: 1800, refresher: 'uac', require: true })).toEqual([
      ['Session-Expires', '1800;refresher=uac'],
      ['Require', 'timer'],
    ]);
    expect(sessionTimerHeaders({ kind: 'none' })).toEqual([]);
  });

  it('UAC reading of the 2xx', () => {
    expect(uacSessionTimer(response(''))).toBeUndefined();
    expect(uacSessionTimer(response('Session-Expires: 600;refresher=uas\r\n'))).toEqual({
      seconds: 600,
      weRefresh: false,
    });
    expect(uacSessionTimer(response('Session-Expires: 600;refresher=uac\r\n'))).toEqual({
      seconds: 600,
      weRefresh: true,
    });
    expect(uacSessionTimer(response('Session-Expires: 600\r\n'))).toEqual({ seconds: 600, weRefresh: true });
  });
});

describe('OutgoingTransfer (RFC 3515)', () => {
  function transfer(clock = new FakeClock()) {
    const seen: CallTransfer[] = [];
    let succeeded = 0;
    const t = new OutgoingTransfer({
      clock,
      target: 'sip:c@x',
      listener: { changed: (s) => seen.push(s), succeeded: () => succeeded++ },
    });
    return { t, seen, clock, succeeded: () => succeeded };
  }
  const notify = (body: string, state = 'active'): SipRequest =>
    request(
      `Event: refer\r\nSubscription-State: ${state}\r\nContent-Type: message/sipfrag\r\n`,
      'NOTIFY',
      body,
    );

  it('202, NOTIFY 100, NOTIFY 200 → succeeded once', () => {
    const { t, seen, succeeded } = transfer();
    t.referAnswered(202);
    expect(t.receiveNotify(notify('SIP/2.0 100 Trying\r\n'))).toBe(200);
    expect(t.receiveNotify(notify('SIP/2.0 200 OK\r\n', 'terminated;reason=noresource'))).toBe(200);
    expect(seen.map((s) => s.state)).toEqual(['trying', 'trying', 'succeeded']);
    expect(t.snapshot).toEqual({ role: 'transferor', target: 'sip:c@x', state: 'succeeded', sipCode: 200 });
    expect(succeeded()).toBe(1);
  });

  it('a NOTIFY before the REFER response counts as accepted; an unreadable body gets 400', () => {
    const { t } = transfer();
    expect(t.receiveNotify(notify('hello'))).toBe(400);
    expect(t.state).toBe('requesting');
    expect(t.receiveNotify(notify('SIP/2.0 180 Ringing\r\n'))).toBe(200);
    expect(t.state).toBe('accepted');
  });

  it('fails on a refused REFER, a failure sipfrag, a terminated subscription, or silence', () => {
    const a = transfer();
    a.t.referAnswered(403);
    expect(a.t.snapshot).toMatchObject({ state: 'failed', sipCode: 403 });
    const b = transfer();
    b.t.referAnswered(202);
    b.t.receiveNotify(notify('SIP/2.0 486 Busy Here\r\n', 'terminated'));
    expect(b.t.snapshot).toMatchObject({ state: 'failed', sipCode: 486 });
    const c = transfer();
    c.t.referAnswered(202);
    c.t.receiveNotify(notify('', 'terminated;reason=timeout'));
    expect(c.t.state).toBe('failed');
    const d = transfer();
    d.t.referAnswered(202);
    d.clock.advance(TRANSFER_WAIT_MS - 1);
    expect(d.t.state).toBe('accepted');
    d.clock.advance(1);
    expect(d.t.state).toBe('failed');
    expect(d.clock.pendingTimers()).toBe(0);
  });
});

describe('SessionUpdateClient (RFC 3261 §14.1)', () => {
  it('one request at a time; 491 → backing-off for the owner\u2019s 2.1–4 s; then again', async () => {
    const clock = new FakeClock();
    const outcomes: SessionUpdateOutcome[] = ['glare', 'done'];
    let started = 0;
    let allowed = true;
    const resolvers: ((o: SessionUpdateOutcome) => void)[] = [];
    const client = new SessionUpdateClient({
      clock,
      random: () => 0.5,
      callIdOwner: true,
      host: {
        canStart: () => allowed,
        start: () => {
          if (started >= outcomes.length) return undefined;
          started++;
          return new Promise((resolve) => resolvers.push(resolve));
        },
      },
    });
    allowed = false;
    client.kick();
    expect(client.state).toBe('idle');
    allowed = true;
    client.kick();
    expect(client.state).toBe('in-progress');
    client.kick();
    expect(started).toBe(1);
    resolvers[0]!('glare');
    await Promise.resolve();
    expect(client.state).toBe('backing-off');
    expect(client.lastBackoffMs).toBe(2100 + 10 * 95);
    clock.advance(3049);
    expect(started).toBe(1);
    clock.advance(1);
    expect(client.state).toBe('in-progress');
    expect(started).toBe(2);
    resolvers[1]!('done');
    await Promise.resolve();
    expect(client.state).toBe('idle');
    client.close();
    expect(client.state).toBe('closed');
    expect(clock.pendingTimers()).toBe(0);
  });
});

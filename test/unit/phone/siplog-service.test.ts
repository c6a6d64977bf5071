/**
 * SiplogService on its own, fed SipWireMessages as the transport tap reports them: entries, the ring's
 * bounds, filters, the calls summary, exports, account matching and the batched events (exact schedule).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import type { EventName, EventPayloadOf, PhoneEvent } from '../../../src-shared/ipc/index.ts';
import { events as contractEvents } from '../../../src-shared/ipc/index.ts';
import { SipLogEntry } from '../../../src-shared/model/siplog.ts';
import type { SipLogBatch } from '../../../src-shared/model/siplog.ts';
import { FakeClock } from '../../../src-main/platform/index.ts';
import { SIPLOG_MAX_BATCH, SiplogService } from '../../../src-main/phone/index.ts';
import type { SiplogServiceOptions } from '../../../src-main/phone/index.ts';
import { NO_PARAMS, createRequest } from '../../../src-main/sip/syntax/index.ts';
import { CALLEE, PROXY, bytesOf, callFlow, registration, uri, wire } from './siplog-flow.ts';

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20.000Z

let clock: FakeClock;
let emitted: PhoneEvent[];
let services: SiplogService[];

beforeEach(() => {
  clock = new FakeClock({ now: T0 });
  emitted = [];
  services = [];
});

afterEach(() => {
  for (const s of services) s.close();
  // Leak check: no batch timer left behind.
  expect(clock.pendingTimers()).toBe(0);
});

function service(options: Partial<SiplogServiceOptions> = {}): SiplogService {
  const s = new SiplogService({
    clock,
    emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => {
      // Every event must satisfy the contract, as the renderer will check.
      expect(contractEvents[name].payload.safeParse(payload).success).toBe(true);
      emitted.push({ name, payload } as PhoneEvent);
    },
    ...options,
  });
  services.push(s);
  return s;
}

function batches(): SipLogBatch[] {
  return emitted.filter((e) => e.name === 'siplog.messages').map((e) => e.payload as SipLogBatch);
}

/** Record the call flow at its own pace. */
function playCall(s: SiplogService, callId?: string): void {
  let now = 0;
  for (const { after, wire: w } of callFlow(callId)) {
    clock.advance(after - now);
    now = after;
    s.record(w);
  }
}

describe('SiplogService entries', () => {
  it('turns a wire message into a complete, schema-valid entry', () => {
    const s = service();
    const [invite] = callFlow();
    s.record(invite!.wire);
    const [entry] = s.recent({});
    expect(SipLogEntry.parse(entry)).toEqual(entry);
    expect(entry).toEqual({
      seq: 0,
      at: T0,
      direction: 'out',
      transport: 'udp',
      local: '192.0.2.10:5060',
      remote: '203.0.113.5:5060',
      accountId: null,
      callId: 'call-1@192.0.2.10',
      cseq: { seq: 1, method: 'INVITE' },
      startLine: 'INVITE sip:1001@lab.test SIP/2.0',
      kind: 'request',
      method: 'INVITE',
      branch: 'z9hG4bK-inv1',
      from: 'sip:1000@lab.test',
      to: 'sip:1001@lab.test',
      contentType: 'application/sdp',
      size: invite!.wire.bytes.byteLength,
      text: Buffer.from(invite!.wire.bytes).toString('utf8').replace(/\r\n/g, '\n'),
      invalidReason: null,
    });
    expect(entry?.status).toBeUndefined();
  });

  it('records responses with their status and the CSeq method, and rejected messages as invalid with what could be read', () => {
    const s = service();
    const flow = callFlow();
    s.record(flow[3]!.wire); // 180
    const broken =
      'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-x\r\nCall-ID: broken-1\r\nCSeq: 4 INVITE\r\n\r\n';
    s.record({ ...wire('in', bytesOf(broken)), rejected: 'missing From' });
    s.record({
      ...wire('in', new Uint8Array(0), PROXY, 'tcp'),
      rejected: 'Content-Length is mandatory on stream transports',
    });
    const [ringing, invalid, empty] = s.recent({});
    expect(ringing).toMatchObject({
      kind: 'response',
      method: 'INVITE',
      status: 180,
      startLine: 'SIP/2.0 180 Ringing',
      to: 'sip:1001@lab.test',
    });
    expect(invalid).toMatchObject({
      kind: 'invalid',
      callId: 'broken-1',
      cseq: { seq: 4, method: 'INVITE' },
      method: 'INVITE',
      status: 180,
      branch: 'z9hG4bK-x',
      from: null,
      invalidReason: 'missing From',
      startLine: 'SIP/2.0 180 Ringing',
    });
    expect(empty).toMatchObject({
      kind: 'invalid',
      transport: 'tcp',
      callId: null,
      cseq: null,
      method: '',
      text: '',
      size: 0,
      startLine: '',
    });
    for (const e of s.recent({})) expect(SipLogEntry.safeParse(e).success).toBe(true);
  });

  it("matches messages to accounts by our side's AoR, by Request-URI user, then by Call-ID", () => {
    const s = service();
    s.setAccounts([
      { id: 'acc-1000', aor: 'sip:1000@LAB.test' },
      { id: 'acc-2000', aor: 'sips:2000@lab.test' },
    ]);
    playCall(s); // we are From (1000@lab.test) of the INVITE; the BYE comes to us with us in To
    s.record(registration('reg-2000', 'x', '2000')[0]!);
    s.record(registration('reg-9', 'x', '9999')[0]!);
    // A request to our Contact whose To names nobody we know: the Request-URI's user decides.
    const options = createRequest({
      method: 'OPTIONS',
      uri: uri('sip:2000@192.0.2.10:5060'),
      from: { uri: uri('sip:monitor@pbx.test'), tag: 'm', params: NO_PARAMS },
      to: { uri: uri('sip:someone@pbx.test'), params: NO_PARAMS },
      callId: 'options-1',
      cseq: 1,
      via: {
        protocol: 'SIP',
        version: '2.0',
        transport: 'UDP',
        host: '203.0.113.5',
        port: 5060,
        branch: 'z9hG4bK-o1',
        params: NO_PARAMS,
      },
    });
    s.record(wire('in', options));
    const byCall = new Map(s.recent({}).map((e) => [e.callId, e.accountId]));
    expect(Object.fromEntries(byCall)).toEqual({
      'call-1@192.0.2.10': 'acc-1000',
      'reg-2000': 'acc-2000',
      'reg-9': null,
      'options-1': 'acc-2000',
    });
    expect(s.recent({ accountId: 'acc-1000' })).toHaveLength(9);
  });
});

describe('SiplogService ring', () => {
  it('keeps the newest maxMessages entries and counts what it dropped', () => {
    const s = service({ maxMessages: 10 });
    for (let i = 0; i < 25; i++) s.record(registration(`reg-${i}`)[0]!);
    expect(s.recent({}).map((e) => e.seq)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(s.status()).toMatchObject({
      enabled: true,
      messages: 10,
      maxMessages: 10,
      captured: 25,
      evicted: 15,
    });
  });

  it('keeps its byte budget: text + 256 per entry', () => {
    const first = service();
    first.record(registration('reg-a')[0]!);
    const one = first.status().bytes;
    expect(one).toBe(first.recent({})[0]!.text.length + 256);
    const s = service({ maxBytes: one * 3 + 10 });
    for (let i = 0; i < 7; i++) s.record(registration(`reg-${i}`)[0]!);
    expect(s.recent({}).map((e) => e.callId)).toEqual(['reg-4', 'reg-5', 'reg-6']);
    expect(s.status()).toMatchObject({ messages: 3, bytes: one * 3, evicted: 4 });
  });

  it('captures nothing while disabled; clear forgets everything; both announce the status', () => {
    const s = service();
    s.record(registration('reg-1')[0]!);
    expect(s.setEnabled(false)).toMatchObject({ enabled: false, messages: 1 });
    s.record(registration('reg-2')[0]!);
    expect(s.recent({}).map((e) => e.callId)).toEqual(['reg-1']);
    s.setEnabled(true);
    s.record(registration('reg-3')[0]!);
    expect(s.clear()).toEqual({
      enabled: true,
      messages: 0,
      bytes: 0,
      maxMessages: 5000,
      maxBytes: 8 * 1024 * 1024,
      captured: 0,
      evicted: 0,
    });
    expect(s.recent({})).toEqual([]);
    clock.advance(1000);
    expect(batches()).toEqual([]); // the pending batch went with the clear
    expect(emitted.map((e) => [e.name, (e.payload as { enabled: boolean }).enabled])).toEqual([
      ['siplog.changed', false],
      ['siplog.changed', true],
      ['siplog.changed', true],
    ]);
    s.record(registration('reg-4')[0]!);
    expect(s.recent({})[0]?.seq).toBe(2); // seq never restarts: the renderer can tell entries apart
  });
});

describe('SiplogService queries', () => {
  it('filters by Call-ID, method (responses by CSeq method), direction, text, afterSeq and limit', () => {
    const s = service();
    playCall(s);
    for (const w of registration('reg-1')) s.record(w);
    const seqs = (q: Parameters<SiplogService['recent']>[0]) => s.recent(q).map((e) => e.seq);
    expect(seqs({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seqs({ callId: 'reg-1' })).toEqual([9, 10]);
    expect(seqs({ method: 'invite' })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seqs({ method: 'BYE', direction: 'out' })).toEqual([8]);
    expect(seqs({ text: 'RINGING' })).toEqual([3, 4]);
    expect(seqs({ text: 'm=audio 4000' })).toEqual([0, 1, 5]);
    expect(seqs({ callId: 'call-1@192.0.2.10', limit: 3 })).toEqual([6, 7, 8]);
    expect(seqs({ afterSeq: 7 })).toEqual([8, 9, 10]);
    expect(seqs({ afterSeq: 7, direction: 'in' })).toEqual([10]);
  });

  it('summarizes the Call-IDs for the ladder picker, newest activity first', () => {
    const s = service();
    s.setAccounts([{ id: 'acc-1000', aor: 'sip:1000@lab.test' }]);
    for (const w of registration('reg-1')) s.record(w);
    clock.advance(1000);
    playCall(s);
    expect(s.handlers['siplog.calls']({})).toEqual([
      {
        callId: 'call-1@192.0.2.10',
        accountId: 'acc-1000',
        firstAt: T0 + 1000,
        lastAt: T0 + 1000 + 9001,
        firstMethod: 'INVITE',
        from: 'sip:1000@lab.test',
        to: 'sip:1001@lab.test',
        methods: ['INVITE', 'ACK', 'BYE'],
        messages: 9,
        finalStatus: 200,
      },
      {
        callId: 'reg-1',
        accountId: 'acc-1000',
        firstAt: T0,
        lastAt: T0,
        firstMethod: 'REGISTER',
        from: 'sip:1000@lab.test',
        to: 'sip:1000@lab.test',
        methods: ['REGISTER'],
        messages: 2,
        finalStatus: 200,
      },
    ]);
  });

  it('exports text like sngrep: a header, then each message under its time, direction, transport, addresses and size', () => {
    const s = service();
    s.setAccounts([{ id: 'acc-1000', aor: 'sip:1000@lab.test' }]);
    const [register, ok] = registration('reg-1');
    s.record(register!);
    clock.advance(42);
    s.record(ok!);
    s.record(wire('out', registration('other')[0]!.bytes));
    const [a, b] = s.recent({});
    const result = s.export({ format: 'text', callId: 'reg-1' });
    expect(result.messages).toBe(2);
    expect(result.fileName).toBe('sip-log-20231114-221320-reg-1.txt');
    expect(result.text).toBe(
      [
        'SIP log: 2 messages (Call-ID reg-1), exported 2023-11-14 22:13:20.042 UTC',
        'Credentials redacted: digest response/cnonce/rspauth, URI passwords, SDP keys; bodies other than SDP, sipfrag and dtmf-relay cut.',
        '',
        `#0 2023-11-14 22:13:20.000 UTC OUT UDP 192.0.2.10:5060 -> 203.0.113.5:5060 (${a!.size} bytes) [account acc-1000]`,
        a!.text.replace(/\n+$/, ''),
        '',
        `#1 2023-11-14 22:13:20.042 UTC IN  UDP 203.0.113.5:5060 -> 192.0.2.10:5060 (${b!.size} bytes) [account acc-1000]`,
        b!.text.replace(/\n+$/, ''),
        '',
        '',
      ].join('\n'),
    );
    expect(result.text).toContain(
      'REGISTER sip:lab.test SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-reg-1\n',
    );
    expect(s.export({ format: 'text' }).messages).toBe(3);
    expect(() => s.export({ format: 'text', callId: 'nope' })).toThrow(
      'The SIP log has no messages with that Call-ID.',
    );
  });

  it('exports JSON with the same entries', () => {
    const s = service();
    playCall(s);
    s.record({ ...wire('in', bytesOf('garbage\r\n'), CALLEE), rejected: 'bad start line' });
    const result = s.export({ format: 'json' });
    expect(result.fileName).toBe('sip-log-20231114-221329.json');
    const parsed = JSON.parse(result.text) as {
      format: string;
      exportedAt: string;
      filter: unknown;
      entries: unknown[];
    };
    expect(parsed).toEqual({
      format: 'softphone-siplog/1',
      exportedAt: '2023-11-14T22:13:29.001Z',
      filter: {},
      entries: s.recent({}),
    });
    expect(s.export({ format: 'json', accountId: 'nobody' }).messages).toBe(0);
  });
});

describe('SiplogService events', () => {
  it('sends new entries in one batch 100 ms after the first of a quiet period', () => {
    const s = service();
    const flow = callFlow();
    s.record(flow[0]!.wire);
    clock.advance(10);
    s.record(flow[1]!.wire);
    clock.advance(89);
    s.record(flow[2]!.wire);
    expect(batches()).toEqual([]);
    clock.advance(1);
    expect(batches().map((b) => [b.entries.map((e) => e.seq), b.skipped])).toEqual([[[0, 1, 2], 0]]);
    clock.advance(50);
    s.record(flow[3]!.wire);
    clock.advance(99);
    expect(batches()).toHaveLength(1);
    clock.advance(1);
    expect(batches().map((b) => b.entries.map((e) => e.seq))).toEqual([[0, 1, 2], [3]]);
    clock.advance(10_000);
    expect(batches()).toHaveLength(2); // nothing new, nothing sent
  });

  it('a storm of 1,500 messages in one window is one event with the newest 1,000 and the rest counted', () => {
    const s = service();
    const [register] = registration('storm');
    for (let i = 0; i < 1500; i++) s.record(register!);
    clock.advance(100);
    const [batch, ...more] = batches();
    expect(more).toEqual([]);
    expect(batch?.entries).toHaveLength(SIPLOG_MAX_BATCH);
    expect(batch?.entries[0]?.seq).toBe(500);
    expect(batch?.skipped).toBe(500);
    expect(s.recent({ afterSeq: 498, limit: 2 }).map((e) => e.seq)).toEqual([1498, 1499]);
    expect(
      s
        .recent({ afterSeq: 497 })
        .slice(0, 2)
        .map((e) => e.seq),
    ).toEqual([498, 499]); // catching up
  });

  it('close() stops capture, cancels the pending batch and drops the ring', () => {
    const s = service();
    s.record(registration('reg-1')[0]!);
    s.close();
    s.record(registration('reg-2')[0]!);
    clock.advance(1000);
    expect(batches()).toEqual([]);
    expect(s.recent({})).toEqual([]);
    s.close();
  });

  it('keeps no secret: the digest response appears in no entry, batch or export', () => {
    const s = service();
    const secret = 'f3e2d1c0b9a8f3e2d1c0b9a8f3e2d1c0';
    for (const w of registration('reg-1', secret)) s.record(w);
    clock.advance(100);
    const everything = JSON.stringify([
      s.recent({}),
      emitted,
      s.export({ format: 'text' }),
      s.export({ format: 'json' }),
    ]);
    expect(everything).toContain('response=\\"<redacted>\\"');
    expect(everything).not.toContain(secret);
  });
});

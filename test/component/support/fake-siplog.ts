/**
 * The fake phone's SIP log: a ring of entries in memory with the phone's status, filters (the
 * contract's own `matchesSipLogFilter`) and export. `capture` announces new entries as one batch;
 * `inviteFlow` writes the messages of a call as the phone would log them (with a retransmitted 180).
 */
import {
  SIPLOG_MAX_BYTES,
  SIPLOG_MAX_MESSAGES,
  matchesSipLogFilter,
  summarizeSipLogCalls,
  type SipLogEntry,
  type SipLogStatus,
} from '../../../src-shared/model/siplog.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_SIPLOG_START = Date.UTC(2025, 5, 16, 12, 0, 0);
export const LOCAL = '192.168.1.20:5060';
export const REMOTE = '203.0.113.5:5060';

/** A complete entry from the fields a test cares about. */
export function sipLogEntry(fields: Partial<SipLogEntry> & { seq: number }): SipLogEntry {
  const startLine = fields.startLine ?? 'OPTIONS sip:pbx.example.com SIP/2.0';
  return {
    at: FAKE_SIPLOG_START + fields.seq * 10,
    direction: 'out',
    transport: 'udp',
    local: LOCAL,
    remote: REMOTE,
    accountId: 'acc-1',
    callId: null,
    cseq: null,
    kind: 'request',
    method: 'OPTIONS',
    branch: `z9hG4bK-${fields.seq}`,
    from: 'sip:1001@pbx.example.com',
    to: 'sip:pbx.example.com',
    contentType: null,
    size: 300,
    text: `${startLine}\nVia: SIP/2.0/UDP ${LOCAL};branch=z9hG4bK-${fields.seq}\n\n`,
    invalidReason: null,
    startLine,
    ...fields,
  };
}

/** The messages of an answered and ended outgoing call, from `seq` on (8 entries: INVITE … 200 to BYE). */
export function inviteFlow(callId: string, seq: number): SipLogEntry[] {
  const common = { callId, from: 'sip:1001@pbx.example.com', to: 'sip:2000@pbx.example.com' };
  const invite = { branch: 'z9hG4bK-invite', cseq: { seq: 1, method: 'INVITE' }, method: 'INVITE' };
  const message = (i: number, fields: Partial<SipLogEntry>): SipLogEntry => {
    const startLine = fields.startLine ?? '';
    return sipLogEntry({
      seq: seq + i,
      ...common,
      ...fields,
      text: `${startLine}\nCall-ID: ${callId}\nCSeq: ${fields.cseq?.seq ?? 1} ${fields.method ?? ''}\n\n`,
    });
  };
  return [
    message(0, {
      ...invite,
      startLine: 'INVITE sip:2000@pbx.example.com SIP/2.0',
      contentType: 'application/sdp',
      kind: 'request',
    }),
    message(1, {
      ...invite,
      direction: 'in',
      kind: 'response',
      status: 100,
      startLine: 'SIP/2.0 100 Trying',
    }),
    message(2, {
      ...invite,
      direction: 'in',
      kind: 'response',
      status: 180,
      startLine: 'SIP/2.0 180 Ringing',
    }),
    message(3, {
      ...invite,
      direction: 'in',
      kind: 'response',
      status: 180,
      startLine: 'SIP/2.0 180 Ringing',
    }),
    message(4, {
      ...invite,
      direction: 'in',
      kind: 'response',
      status: 200,
      startLine: 'SIP/2.0 200 OK',
      contentType: 'application/sdp',
    }),
    message(5, {
      branch: 'z9hG4bK-ack',
      cseq: { seq: 1, method: 'ACK' },
      method: 'ACK',
      startLine: 'ACK sip:2000@203.0.113.5:5060 SIP/2.0',
    }),
    message(6, {
      branch: 'z9hG4bK-bye',
      cseq: { seq: 2, method: 'BYE' },
      method: 'BYE',
      startLine: 'BYE sip:2000@203.0.113.5:5060 SIP/2.0',
    }),
    message(7, {
      branch: 'z9hG4bK-bye',
      cseq: { seq: 2, method: 'BYE' },
      method: 'BYE',
      direction: 'in',
      kind: 'response',
      status: 200,
      startLine: 'SIP/2.0 200 OK',
    }),
  ];
}

export class FakeSipLog {
  entries: SipLogEntry[] = [];
  enabled = true;
  captured = 0;
  readonly handlers: FakeHandlers;
  private readonly emit: FakeEmit;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'siplog.recent': (query) => {
        const matching = this.entries.filter(
          (e) => matchesSipLogFilter(e, query) && (query.afterSeq === undefined || e.seq > query.afterSeq),
        );
        return structuredClone(matching.slice(-(query.limit ?? SIPLOG_MAX_MESSAGES)));
      },
      'siplog.calls': () => summarizeSipLogCalls(this.entries),
      'siplog.export': (request) => {
        const matching = this.entries.filter((e) => matchesSipLogFilter(e, request));
        const text =
          request.format === 'json'
            ? JSON.stringify({
                exportedAt: FAKE_SIPLOG_START,
                callId: request.callId ?? null,
                entries: matching,
              })
            : matching
                .map((e) => `${e.direction === 'out' ? 'sent to' : 'received from'} ${e.remote}\n${e.text}`)
                .join('\n');
        return {
          text,
          messages: matching.length,
          fileName: `sip-log-20250616-120000.${request.format === 'json' ? 'json' : 'txt'}`,
        };
      },
      'siplog.clear': () => {
        this.entries = [];
        this.captured = 0;
        return this.changed();
      },
      'siplog.setEnabled': ({ enabled }) => {
        this.enabled = enabled;
        return this.changed();
      },
      'siplog.status': () => this.status(),
    };
  }

  /** Put entries in the ring without an event (before the screen opens). */
  seed(...entries: SipLogEntry[]): void {
    this.entries.push(...structuredClone(entries));
    this.captured += entries.length;
  }

  /** New messages arrive: kept and announced as one batch (`skipped` of them left out of it). */
  capture(entries: readonly SipLogEntry[], skipped = 0): void {
    this.entries.push(...structuredClone(entries));
    this.captured += entries.length;
    this.emit('siplog.messages', { entries: structuredClone(entries.slice(skipped)), skipped });
  }

  status(): SipLogStatus {
    return {
      enabled: this.enabled,
      messages: this.entries.length,
      bytes: this.entries.reduce((n, e) => n + e.text.length + 200, 0),
      maxMessages: SIPLOG_MAX_MESSAGES,
      maxBytes: SIPLOG_MAX_BYTES,
      captured: this.captured,
      evicted: 0,
    };
  }

  private changed(): SipLogStatus {
    const status = this.status();
    this.emit('siplog.changed', status);
    return status;
  }
}

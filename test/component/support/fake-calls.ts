/**
 * The fake phone's calls: snapshots in memory, every change announced with `calls.changed` before the
 * command answers, like the phone. Commands do what the call layer does at once (dial → dialing,
 * answer → active with the others held, hold/resume, mute, hang up → ended); the far end's part — it
 * rings, answers, sends statistics, calls us — is played by the test with `update` and `ring`.
 */
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_CALLS_NOW = Date.UTC(2025, 5, 16, 12, 0, 0);

/** A complete call from the fields a test cares about. */
export function callSnapshot(fields: Partial<CallSnapshot> & { id: string }): CallSnapshot {
  return {
    accountId: 'acc-1',
    direction: 'outgoing',
    remote: { uri: 'sip:2000@pbx.example.com' },
    state: 'dialing',
    reason: null,
    sipCode: null,
    startedAt: FAKE_CALLS_NOW,
    answeredAt: null,
    endedAt: null,
    codec: null,
    muted: false,
    stats: { packetsSent: 0, packetsReceived: 0, lossPct: 0, jitterMs: 0, rttMs: null },
    media: { path: 'unknown', local: null, remote: null },
    dtmfReceived: '',
    transfer: null,
    ...fields,
  };
}

export class FakeCalls {
  readonly calls = new Map<string, CallSnapshot>();
  /** DTMF keys sent per call, in order. */
  readonly dtmf = new Map<string, string>();
  readonly handlers: FakeHandlers;
  /** The time the fake phone stamps on changes. */
  now = FAKE_CALLS_NOW;
  private readonly emit: FakeEmit;
  private nextId = 1;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'calls.list': () =>
        [...this.calls.values()].filter((c) => c.state !== 'ended').map((c) => structuredClone(c)),
      'calls.dial': ({ target, accountId }) => {
        for (const other of this.up()) if (other.state === 'active') this.set(other.id, { state: 'held' });
        const uri = /^sips?:/i.test(target)
          ? target
          : target.includes('@')
            ? `sip:${target}`
            : `sip:${target}@pbx.example.com`;
        const call = callSnapshot({
          id: `call-${this.nextId++}`,
          accountId: accountId ?? 'acc-1',
          remote: { uri },
          startedAt: this.now,
        });
        this.calls.set(call.id, call);
        this.emit('calls.changed', structuredClone(call));
        return structuredClone(call);
      },
      'calls.answer': ({ callId }) => {
        for (const other of this.up())
          if (other.id !== callId && other.state === 'active') this.set(other.id, { state: 'held' });
        return this.set(callId, { state: 'active', answeredAt: this.now });
      },
      'calls.reject': ({ callId, reason }) =>
        this.set(callId, {
          state: 'ended',
          endedAt: this.now,
          reason: { kind: reason === 'busy' ? 'busy' : 'declined', text: 'Declined' },
          sipCode: reason === 'busy' ? 486 : 603,
        }),
      'calls.hangup': ({ callId }) => {
        const call = this.get(callId);
        if (call.state === 'ended') return structuredClone(call);
        return this.set(callId, {
          state: 'ended',
          endedAt: this.now,
          reason: { kind: call.answeredAt === null ? 'cancelled' : 'local-hangup', text: 'Ended' },
        });
      },
      'calls.hold': ({ callId }) => this.set(callId, { state: 'held' }),
      'calls.resume': ({ callId }) => {
        for (const other of this.up())
          if (other.id !== callId && other.state === 'active') this.set(other.id, { state: 'held' });
        return this.set(callId, { state: 'active' });
      },
      'calls.mute': ({ callId, muted }) => this.set(callId, { muted }),
      'calls.sendDtmf': ({ callId, digits }) => {
        const call = this.get(callId);
        if (call.state !== 'active') throw new PhoneError('media', 'The call is not talking.');
        this.dtmf.set(callId, (this.dtmf.get(callId) ?? '') + digits);
        return structuredClone(call);
      },
      'calls.transfer': (request) => {
        const target = 'target' in request ? request.target : this.get(request.replacesCallId).remote.uri;
        return this.set(request.callId, {
          transfer: { role: 'transferor', target, state: 'pending', sipCode: null },
        });
      },
    };
  }

  /** A call rings here (announced). */
  ring(fields: Partial<CallSnapshot> & { id: string }): CallSnapshot {
    const call = callSnapshot({
      direction: 'incoming',
      state: 'ringing',
      remote: { uri: 'sip:3000@pbx.example.com', displayName: 'Carol' },
      startedAt: this.now,
      ...fields,
    });
    this.calls.set(call.id, call);
    this.emit('calls.changed', structuredClone(call));
    return call;
  }

  /** The far end (or the network) changed a call: announce the new snapshot. */
  update(callId: string, fields: Partial<CallSnapshot>): CallSnapshot {
    return this.set(callId, fields);
  }

  private up(): CallSnapshot[] {
    return [...this.calls.values()].filter((c) => c.state !== 'ended');
  }

  private get(callId: string): CallSnapshot {
    const call = this.calls.get(callId);
    if (!call) throw new PhoneError('not-found', `There is no call with id ${JSON.stringify(callId)}.`);
    return call;
  }

  private set(callId: string, fields: Partial<CallSnapshot>): CallSnapshot {
    const next = { ...this.get(callId), ...structuredClone(fields) };
    this.calls.set(callId, next);
    this.emit('calls.changed', structuredClone(next));
    return structuredClone(next);
  }
}

/** Shared fixtures for the transaction machine tests: requests, a recording channel, a recording TU. */
import type { FakeClock } from '../../../../src-main/platform/index.ts';
import {
  NO_PARAMS,
  createRequest,
  createResponse,
  parseMessage,
  parseUri,
} from '../../../../src-main/sip/syntax/index.ts';
import type { SipRequest, SipResponse, Uri } from '../../../../src-main/sip/syntax/index.ts';
import type { SendResult, SipLogger, TransportError } from '../../../../src-main/sip/transport/index.ts';
import { timerValues } from '../../../../src-main/sip/transaction/index.ts';
import type {
  ClientChannel,
  ServerChannel,
  TransactionContext,
} from '../../../../src-main/sip/transaction/index.ts';

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

export function request(
  method: string,
  branch = 'z9hG4bK-test-1',
  extra: Iterable<readonly [string, string]> = [],
): SipRequest {
  return createRequest({
    method,
    uri: uri('sip:bob@192.0.2.2'),
    from: { uri: uri('sip:alice@192.0.2.1'), tag: 'ftag', params: NO_PARAMS },
    to: { uri: uri('sip:bob@192.0.2.2'), params: NO_PARAMS },
    callId: 'call-1@192.0.2.1',
    cseq: 1,
    via: {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: '192.0.2.1',
      port: 5060,
      branch,
      params: NO_PARAMS,
    },
    headers: extra,
  });
}

export function response(req: SipRequest, status: number, toTag = 'ttag'): SipResponse {
  return createResponse(req, status, undefined, { toTag });
}

export function reparse(bytes: Uint8Array): SipRequest | SipResponse {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.message;
}

export function context(clock: FakeClock, log: string[] = []): TransactionContext {
  const logger: SipLogger = (level, message) => log.push(`${level} ${message}`);
  return { clock, timers: timerValues(), log: logger };
}

/** A client channel recording the monotonic time and bytes of every send. */
export class RecordingClientChannel implements ClientChannel {
  readonly reliable: boolean;
  readonly sends: { at: number; bytes: Uint8Array }[] = [];
  fail: TransportError | undefined;
  readonly #clock: FakeClock;

  constructor(clock: FakeClock, reliable = false) {
    this.#clock = clock;
    this.reliable = reliable;
  }

  send(bytes: Uint8Array): SendResult {
    if (this.fail !== undefined) return { ok: false, error: this.fail };
    this.sends.push({ at: this.#clock.monotonic(), bytes });
    return { ok: true };
  }

  get times(): number[] {
    return this.sends.map((s) => s.at);
  }

  /** Methods or status codes of what was sent, in order. */
  get what(): string[] {
    return this.sends.map((s) => {
      const m = reparse(s.bytes);
      return m.kind === 'request' ? m.method : String(m.status);
    });
  }
}

export class RecordingServerChannel implements ServerChannel {
  readonly reliable: boolean;
  readonly sends: { at: number; status: number }[] = [];
  readonly #clock: FakeClock;

  constructor(clock: FakeClock, reliable = false) {
    this.#clock = clock;
    this.reliable = reliable;
  }

  send(res: SipResponse): void {
    this.sends.push({ at: this.#clock.monotonic(), status: res.status });
  }

  get times(): number[] {
    return this.sends.map((s) => s.at);
  }
}

/** A client TU recording what the transaction passed up. */
export function recordingUser(): {
  events: string[];
  user: { receiveResponse(r: SipResponse): void; timeout(): void; transportError(e: TransportError): void };
} {
  const events: string[] = [];
  return {
    events,
    user: {
      receiveResponse: (r) => events.push(`response ${r.status}`),
      timeout: () => events.push('timeout'),
      transportError: (e) => events.push(`transport-error ${e.code}`),
    },
  };
}

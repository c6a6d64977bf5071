/** Test support shared by the SIP transport/transaction/dialog/UA tests: settling promises on a FakeClock, messages. */
import type { FakeClock } from '../../../../src-main/platform/index.ts';
import {
  NO_PARAMS,
  createRequest,
  generateBranch,
  parseMessage,
  parseUri,
} from '../../../../src-main/sip/syntax/index.ts';
import type { SipMessage, SipRequest, Uri } from '../../../../src-main/sip/syntax/index.ts';

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * Await `promise` while moving the fake clock in `stepMs` steps (0 by default: deliveries due now), up to
 * `maxMs` of fake time. Throws if it does not settle.
 */
export async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
  stepMs = 0,
  maxMs = 120_000,
): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      error = e;
    },
  );
  const end = clock.monotonic() + maxMs;
  for (let i = 0; i < 100_000 && !done; i++) {
    await flush();
    if (done) break;
    if (clock.monotonic() >= end) break;
    clock.advance(stepMs);
    if (stepMs === 0 && i > 50) clock.advance(1);
  }
  await flush();
  if (!done) throw new Error('promise did not settle');
  if (failed) throw error;
  return value as T;
}

/** Move the clock by `ms` in steps, letting microtasks run in between (connects, async sends). */
export async function run(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  const end = clock.monotonic() + ms;
  await flush();
  while (clock.monotonic() < end) {
    clock.advance(Math.min(stepMs, end - clock.monotonic()));
    await flush();
  }
  clock.advance(0);
  await flush();
}

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

/** A request with a top Via carrying a fresh branch (the transport stamps sent-by). */
export function simpleRequest(
  method: string,
  target: string,
  extra: Iterable<readonly [string, string]> = [],
  body?: string,
): SipRequest {
  return createRequest({
    method,
    uri: uri(target),
    from: { uri: uri('sip:alice@example.com'), tag: 'a1', params: NO_PARAMS },
    to: { uri: uri(target), params: NO_PARAMS },
    callId: `c-${generateBranch().slice(7, 19)}`,
    cseq: 1,
    via: {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'invalid',
      branch: generateBranch(),
      params: NO_PARAMS,
    },
    headers: extra,
    ...(body !== undefined && { body, contentType: 'text/plain' }),
  });
}

export function parse(bytes: Uint8Array): SipMessage {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.message;
}

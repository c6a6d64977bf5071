/**
 * Testing one server:
 *
 *  - STUN: three Binding requests in a row (UDP, or one TCP/TLS connection for stuns:), the round trip
 *    taken as their median; the first answer also tells our mapped address and whether the server can do
 *    RFC 5780 (OTHER-ADDRESS).
 *  - TURN: a real allocation with the given long-term credentials over the URI's transport (RFC 5766),
 *    relayed address, lifetime and round trip noted, then released at once (Refresh, LIFETIME 0). Without
 *    credentials, an unauthenticated Allocate shows the server is alive and asks for them (401).
 */
import type { NatServerError, NatServerTransport } from '../../src-shared/model/nat.ts';
import type { SocketAddress } from '../platform/index.ts';
import { StunMethod, TurnAllocation, saslPrep } from '../media/stun/index.ts';
import type { StunEndpoint, StunTransactionResult, TurnFailure } from '../media/stun/index.ts';
import { median, openStreamProbe, openUdpProbe, recordOf, toTransportAddress } from './probe-context.ts';
import type { ProbeContext } from './probe-context.ts';
import type { ServerToTest } from './server-discovery.ts';

export interface ServerProbeResult {
  ok: boolean;
  address: SocketAddress | null;
  rttMs: number | null;
  mappedAddress: SocketAddress | null;
  /** STUN only. */
  otherAddress: SocketAddress | null;
  rfc5780: boolean | null;
  /** TURN only. */
  relayedAddress: SocketAddress | null;
  lifetimeS: number | null;
  error: NatServerError | null;
}

const NOTHING: Omit<ServerProbeResult, 'ok' | 'error'> = {
  address: null,
  rttMs: null,
  mappedAddress: null,
  otherAddress: null,
  rfc5780: null,
  relayedAddress: null,
  lifetimeS: null,
};

function failed(error: NatServerError, address: SocketAddress | null = null): ServerProbeResult {
  return { ...NOTHING, ok: false, error, address };
}

function where(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export async function probeServer(ctx: ProbeContext, server: ServerToTest): Promise<ServerProbeResult> {
  const address = server.addresses[0];
  if (address === undefined)
    return failed({ code: 'dns', message: server.resolveError ?? `${server.host} did not resolve.` });
  return server.kind === 'stun' ? probeStun(ctx, server, address) : probeTurn(ctx, server, address);
}

// ───────────────────────────── STUN ─────────────────────────────

async function probeStun(
  ctx: ProbeContext,
  server: ServerToTest,
  address: SocketAddress,
): Promise<ServerProbeResult> {
  if (server.transport === 'udp') {
    const probe = await openUdpProbe(ctx, address.family);
    try {
      return await threeBindings(ctx, probe.endpoint, probe.socket.local, address, 'udp');
    } finally {
      probe.close();
    }
  }
  const opened = await openStreamProbe(ctx, address, server.transport, server.host);
  if (!opened.ok) return failed(opened.error, address);
  try {
    return await threeBindings(
      ctx,
      opened.probe.endpoint,
      opened.probe.connection.local,
      address,
      server.transport,
    );
  } finally {
    opened.probe.close();
  }
}

async function threeBindings(
  ctx: ProbeContext,
  endpoint: StunEndpoint,
  local: SocketAddress,
  to: SocketAddress,
  transport: NatServerTransport,
): Promise<ServerProbeResult> {
  const results: StunTransactionResult[] = [];
  for (let i = 0; i < 3; i++) {
    const sentAt = ctx.clock.monotonic();
    const result = await endpoint.client.request({ method: StunMethod.binding }, to);
    ctx.record(recordOf(ctx, 'binding', transport, local, to, sentAt, result));
    results.push(result);
    // One silent server is enough: no need to wait three timeouts.
    if (result.outcome !== 'success') break;
  }
  const successes = results.flatMap((r) => (r.outcome === 'success' ? [r] : []));
  const first = successes[0];
  if (first === undefined) return failed(bindingError(results[0], to, transport), to);
  const attributes = first.response.attributes;
  const other = attributes.otherAddress ?? attributes.changedAddress;
  return {
    ...NOTHING,
    ok: true,
    error: null,
    address: to,
    rttMs: median(successes.map((r) => r.elapsedMs)),
    mappedAddress: attributes.xorMappedAddress ?? attributes.mappedAddress ?? null,
    otherAddress: other ?? null,
    rfc5780: attributes.otherAddress !== undefined,
  };
}

function bindingError(
  result: StunTransactionResult | undefined,
  to: SocketAddress,
  transport: NatServerTransport,
): NatServerError {
  switch (result?.outcome) {
    case 'error-response':
      return {
        code: String(result.error.code),
        message: `${where(to)} answered ${result.error.code} ${result.error.reason}.`,
      };
    case 'invalid-response':
      return { code: 'invalid-response', message: `${where(to)} sent an unusable answer: ${result.reason}.` };
    case 'timeout':
      return {
        code: 'timeout',
        message: `No answer from ${where(to)} over ${transport.toUpperCase()} (${result.sends} tries in ${result.elapsedMs / 1000} s).`,
      };
    case 'transport-failed':
      return { code: 'transport', message: `The connection to ${where(to)} failed: ${result.reason}.` };
    case 'cancelled':
    case 'success':
    case undefined:
      return { code: 'transport', message: 'The test was cancelled.' };
  }
}

// ───────────────────────────── TURN ─────────────────────────────

async function probeTurn(
  ctx: ProbeContext,
  server: ServerToTest,
  address: SocketAddress,
): Promise<ServerProbeResult> {
  const credentials = server.credentials;
  if (credentials !== undefined) {
    const prepared = saslPrep(credentials.password);
    if (!prepared.ok)
      return failed(
        { code: 'bad-password', message: `The TURN password cannot be used: ${prepared.reason}.` },
        address,
      );
  }
  if (server.transport === 'udp') {
    const probe = await openUdpProbe(ctx, address.family);
    try {
      return await allocateAndRelease(ctx, server, probe.endpoint, probe.socket.local, address);
    } finally {
      probe.close();
    }
  }
  const opened = await openStreamProbe(ctx, address, server.transport, server.host);
  if (!opened.ok) return failed(opened.error, address);
  try {
    return await allocateAndRelease(
      ctx,
      server,
      opened.probe.endpoint,
      opened.probe.connection.local,
      address,
    );
  } finally {
    opened.probe.close();
  }
}

async function allocateAndRelease(
  ctx: ProbeContext,
  server: ServerToTest,
  endpoint: StunEndpoint,
  local: SocketAddress,
  to: SocketAddress,
): Promise<ServerProbeResult> {
  const credentials = server.credentials;
  const sentAt = ctx.clock.monotonic();
  if (credentials === undefined) return challengeOnly(ctx, server, endpoint, local, to, sentAt);

  const allocation = new TurnAllocation({
    endpoint,
    server: to,
    username: credentials.username,
    password: credentials.password,
  });
  const result = await allocation.allocate();
  const base = {
    test: 'turn-allocate' as const,
    atMs: Math.max(0, sentAt - ctx.startedAt),
    transport: server.transport,
    local: toTransportAddress(local),
    requestTo: toTransportAddress(to),
  };
  if (!result.ok) {
    ctx.record({
      ...base,
      responseFrom:
        result.failure.kind === 'error-response' || result.failure.kind === 'wrong-credentials'
          ? toTransportAddress(to)
          : null,
      mappedAddress: null,
      outcome:
        result.failure.kind === 'timeout'
          ? 'timeout'
          : result.failure.kind === 'transport'
            ? 'transport-failed'
            : 'error-response',
      sends: result.requests,
      elapsedMs: ctx.clock.monotonic() - sentAt,
      detail: turnErrorOf(result.failure, server, to).message.slice(0, 300),
    });
    return failed(turnErrorOf(result.failure, server, to), to);
  }
  ctx.record({
    ...base,
    responseFrom: toTransportAddress(to),
    mappedAddress: toTransportAddress(result.relayedAddress),
    outcome: 'success',
    sends: result.requests,
    elapsedMs: result.elapsedMs,
    detail: `relayed ${where(result.relayedAddress)}, lifetime ${result.lifetimeS} s${result.realm ? `, realm ${result.realm}` : ''}`,
  });
  const releasedAt = ctx.clock.monotonic();
  const released = await allocation.release();
  ctx.record({
    ...base,
    test: 'turn-release',
    atMs: Math.max(0, releasedAt - ctx.startedAt),
    responseFrom: released.ok ? toTransportAddress(to) : null,
    mappedAddress: null,
    outcome: released.ok ? 'success' : released.failure.kind === 'timeout' ? 'timeout' : 'error-response',
    sends: 1,
    elapsedMs: ctx.clock.monotonic() - releasedAt,
    detail: released.ok
      ? 'allocation deleted (LIFETIME 0)'
      : turnErrorOf(released.failure, server, to).message.slice(0, 300),
  });
  return {
    ...NOTHING,
    ok: true,
    error: null,
    address: to,
    rttMs: result.rttMs,
    mappedAddress: result.mappedAddress ?? null,
    relayedAddress: result.relayedAddress,
    lifetimeS: result.lifetimeS,
  };
}

/** No credentials: see whether the server answers an Allocate with its challenge. */
async function challengeOnly(
  ctx: ProbeContext,
  server: ServerToTest,
  endpoint: StunEndpoint,
  local: SocketAddress,
  to: SocketAddress,
  sentAt: number,
): Promise<ServerProbeResult> {
  const result = await endpoint.client.request(
    { method: StunMethod.allocate, attributes: { requestedTransport: 17 } },
    to,
  );
  ctx.record(
    recordOf(ctx, 'turn-allocate', server.transport, local, to, sentAt, result, 'without credentials'),
  );
  if (result.outcome === 'error-response' && result.error.code === 401) {
    const realm = result.response.attributes.realm;
    return failed(
      {
        code: 'credentials-needed',
        message: `The TURN server at ${where(to)} answers and asks for credentials${realm ? ` (realm "${realm}")` : ''}; none were given.`,
      },
      to,
    );
  }
  if (result.outcome === 'success') {
    return failed(
      { code: 'invalid-response', message: `The TURN server at ${where(to)} allocated without credentials.` },
      to,
    );
  }
  return failed(bindingError(result, to, server.transport), to);
}

function turnErrorOf(failure: TurnFailure, server: ServerToTest, to: SocketAddress): NatServerError {
  const at = `The TURN server at ${where(to)}`;
  switch (failure.kind) {
    case 'wrong-credentials':
      return {
        code: '401',
        message: `${at} refused the username "${server.credentials?.username ?? ''}" or its password (401 ${failure.reason}).`,
      };
    case 'error-response':
      return { code: String(failure.code), message: `${at} ${turnErrorWords(failure.code, failure.reason)}` };
    case 'timeout':
      return {
        code: 'timeout',
        message: `${at} did not answer over ${server.transport.toUpperCase()} (${failure.sends} tries in ${failure.elapsedMs / 1000} s).`,
      };
    case 'transport':
      return { code: 'transport', message: `${at}: the connection failed (${failure.reason}).` };
    case 'invalid-response':
      return { code: 'invalid-response', message: `${at} sent an unusable answer: ${failure.reason}.` };
  }
}

function turnErrorWords(code: number, reason: string): string {
  switch (code) {
    case 437:
      return `found an old allocation in the way (437 ${reason}).`;
    case 438:
      return `kept refusing our nonce (438 ${reason}).`;
    case 486:
      return `has no allocation left for this user (486 ${reason}).`;
    case 508:
      return `is out of capacity (508 ${reason}).`;
    case 403:
      return `forbids this request (403 ${reason}).`;
    case 300:
      return `sends us to another server (300 ${reason}).`;
    default:
      return `answered ${code} ${reason}.`;
  }
}

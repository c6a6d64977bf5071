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
import type { NatServerError, NatServerTransport, NatTestRecord } from '../../src-shared/model/nat.ts';
import { formatAddress } from '../platform/index.ts';
import type { DatagramSocket, SocketAddress } from '../platform/index.ts';
import { StunMethod, TRANSPORT_UDP, TurnRelay, decodeStunMessage, saslPrep } from '../media/stun/index.ts';
import type {
  StunEndpoint,
  StunTransactionResult,
  TurnRelayFailure,
  TurnReleaseResult,
} from '../media/stun/index.ts';
import {
  connectError,
  median,
  openStreamProbe,
  openUdpProbe,
  recordOf,
  tlsClientOptions,
  toTransportAddress,
} from './probe-context.ts';
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

export async function probeServer(ctx: ProbeContext, server: ServerToTest): Promise<ServerProbeResult> {
  const address = server.addresses[0];
  if (address === undefined)
    return failed({ code: 'dns', message: server.resolveError ?? `${server.host} did not resolve.` });
  return server.kind === 'stun' ? probeStun(ctx, server, address) : probeTurn(ctx, server, address);
}

/**
 * Open a STUN endpoint to `address` over the server's transport (a UDP socket of its own, or a TCP/TLS
 * connection), run `test` on it, and close it whatever happens.
 */
async function onEndpoint(
  ctx: ProbeContext,
  server: ServerToTest,
  address: SocketAddress,
  test: (endpoint: StunEndpoint, local: SocketAddress) => Promise<ServerProbeResult>,
): Promise<ServerProbeResult> {
  if (server.transport === 'udp') {
    const probe = await openUdpProbe(ctx, address.family);
    try {
      return await test(probe.endpoint, probe.socket.local);
    } finally {
      probe.close();
    }
  }
  const opened = await openStreamProbe(ctx, address, server.transport, server.host);
  if (!opened.ok) return failed(opened.error, address);
  try {
    return await test(opened.probe.endpoint, opened.probe.connection.local);
  } finally {
    opened.probe.close();
  }
}

// ───────────────────────────── STUN ─────────────────────────────

function probeStun(
  ctx: ProbeContext,
  server: ServerToTest,
  address: SocketAddress,
): Promise<ServerProbeResult> {
  return onEndpoint(ctx, server, address, (endpoint, local) =>
    threeBindings(ctx, endpoint, local, address, server.transport),
  );
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
        message: `${formatAddress(to)} answered ${result.error.code} ${result.error.reason}.`,
      };
    case 'invalid-response':
      return {
        code: 'invalid-response',
        message: `${formatAddress(to)} sent an unusable answer: ${result.reason}.`,
      };
    case 'timeout':
      return {
        code: 'timeout',
        message: `No answer from ${formatAddress(to)} over ${transport.toUpperCase()} (${result.sends} tries in ${result.elapsedMs / 1000} s).`,
      };
    case 'transport-failed':
      return {
        code: 'transport',
        message: `The connection to ${formatAddress(to)} failed: ${result.reason}.`,
      };
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
  if (credentials === undefined)
    return onEndpoint(ctx, server, address, (endpoint, local) =>
      challengeOnly(ctx, server, endpoint, local, address),
    );
  const prepared = saslPrep(credentials.password);
  if (!prepared.ok)
    return failed(
      { code: 'bad-password', message: `The TURN password cannot be used: ${prepared.reason}.` },
      address,
    );
  // Over UDP the allocation is made from a socket of its own, whose datagrams all go to the relay.
  let socket: DatagramSocket | undefined;
  if (server.transport === 'udp') socket = await ctx.network.bindDatagram({ family: address.family });
  const relay = new TurnRelay({
    clock: ctx.clock,
    server: {
      address,
      transport: server.transport,
      username: credentials.username,
      password: credentials.password,
      ...(server.transport === 'tls' ? { tls: tlsClientOptions(ctx, server.host) } : {}),
    },
    ...(socket ? { socket } : { network: ctx.network }),
    timing: ctx.timing,
    connectTimeoutMs: ctx.connectTimeoutMs,
    ...(ctx.software ? { software: ctx.software } : {}),
  });
  const received = socket?.onMessage((data, from) => {
    const decoded = decodeStunMessage(data);
    if (decoded.ok) relay.receiveStun(decoded.message, from);
  });
  // Cancelling the check abandons an Allocate in flight, or gives back what was allocated.
  const onAbort = (): void => void relay.release();
  ctx.signal?.addEventListener('abort', onAbort);
  try {
    return await allocateAndRelease(ctx, server, relay, address);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    await relay.release();
    received?.dispose();
    socket?.close();
  }
}

/** A real allocation with the given credentials, noted and released at once (RFC 5766 §6, §7.1). */
async function allocateAndRelease(
  ctx: ProbeContext,
  server: ServerToTest,
  relay: TurnRelay,
  to: SocketAddress,
): Promise<ServerProbeResult> {
  const sentAt = ctx.clock.monotonic();
  const result = await relay.allocate();
  // No TCP/TLS connection: no request was sent, nothing to record (as for a STUN server).
  if (!result.ok && result.failure.kind === 'connect')
    return failed(turnErrorOf(ctx, result.failure, server, to), to);
  const local = relay.local;
  const base = {
    test: 'turn-allocate' as const,
    atMs: Math.max(0, sentAt - ctx.startedAt),
    transport: server.transport,
    local: local ? toTransportAddress(local) : null,
    requestTo: toTransportAddress(to),
  } satisfies Partial<NatTestRecord>;
  if (!result.ok) {
    const error = turnErrorOf(ctx, result.failure, server, to);
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
          : result.failure.kind === 'transport' || result.failure.kind === 'cancelled'
            ? 'transport-failed'
            : 'error-response',
      sends: result.requests,
      elapsedMs: ctx.clock.monotonic() - sentAt,
      detail: error.message.slice(0, 300),
    });
    return failed(error, to);
  }
  ctx.record({
    ...base,
    responseFrom: toTransportAddress(to),
    mappedAddress: toTransportAddress(result.relayed),
    outcome: 'success',
    sends: result.requests,
    elapsedMs: result.elapsedMs,
    detail: `relayed ${formatAddress(result.relayed)}, lifetime ${result.lifetimeS} s${result.realm ? `, realm ${result.realm}` : ''}`,
  });
  const releasedAt = ctx.clock.monotonic();
  const released: TurnReleaseResult = await relay.release();
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
      : turnErrorOf(ctx, released.failure, server, to).message.slice(0, 300),
  });
  return {
    ...NOTHING,
    ok: true,
    error: null,
    address: to,
    rttMs: result.rttMs,
    mappedAddress: result.mapped ?? null,
    relayedAddress: result.relayed,
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
): Promise<ServerProbeResult> {
  const sentAt = ctx.clock.monotonic();
  const result = await endpoint.client.request(
    { method: StunMethod.allocate, attributes: { requestedTransport: TRANSPORT_UDP } },
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
        message: `The TURN server at ${formatAddress(to)} answers and asks for credentials${realm ? ` (realm "${realm}")` : ''}; none were given.`,
      },
      to,
    );
  }
  if (result.outcome === 'success') {
    return failed(
      {
        code: 'invalid-response',
        message: `The TURN server at ${formatAddress(to)} allocated without credentials.`,
      },
      to,
    );
  }
  return failed(bindingError(result, to, server.transport), to);
}

function turnErrorOf(
  ctx: ProbeContext,
  failure: TurnRelayFailure,
  server: ServerToTest,
  to: SocketAddress,
): NatServerError {
  const at = `The TURN server at ${formatAddress(to)}`;
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
    case 'connect':
      return connectError(
        { code: failure.code, message: failure.reason },
        server.transport === 'tls' ? 'tls' : 'tcp',
        to,
        ctx.connectTimeoutMs,
        server.host,
      );
    case 'transport':
      return { code: 'transport', message: `${at}: the connection failed (${failure.reason}).` };
    case 'invalid-response':
      return { code: 'invalid-response', message: `${at} sent an unusable answer: ${failure.reason}.` };
    case 'cancelled':
      return { code: 'transport', message: 'The test was cancelled.' };
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

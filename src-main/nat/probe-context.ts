/**
 * What every NAT test shares: the ports (clock, network), the transaction timing, the log of raw
 * measurements, cancellation, and small helpers to open and always close sockets.
 */
import type {
  NatServerError,
  NatServerTransport,
  NatTestName,
  NatTestRecord,
  TransportAddress,
} from '../../src-shared/model/nat.ts';
import {
  describeTlsCertificateProblem,
  errorCode,
  formatAddress,
  tlsCertificateProblemOf,
} from '../platform/index.ts';
import type {
  Clock,
  DatagramSocket,
  IpFamily,
  Network,
  SocketAddress,
  StreamConnection,
  TlsClientOptions,
} from '../platform/index.ts';
import { stunOverDatagramSocket, stunOverStream } from '../media/stun/index.ts';
import type { StunEndpoint, StunTiming, StunTransactionResult } from '../media/stun/index.ts';

/**
 * Transaction timing of the NAT tests: RTO 200 ms, 4 sends (0, 200, 600, 1400 ms), give up at 3 s. Two of
 * the tests expect no answer by design (filtering, hairpinning), so the check takes about this long; RFC
 * 5780 leaves the timing to the client.
 */
export const NAT_TEST_TIMING: StunTiming = {
  rtoMs: 200,
  maxSends: 4,
  finalWaitFactor: 8,
  streamTimeoutMs: 5_000,
};

/** The shortest RTO the adaptive timing uses, in ms. */
export const MIN_ADAPTIVE_RTO_MS = 100;

/**
 * Timing for the tests after a first round trip of `rttMs` to the same server. RFC 5389 §7.2.1: "the
 * value for RTO [...] SHOULD be [...] computed from the RTT", per RFC 2988, whose first-sample rule gives
 * RTO = R + 4·R/2 = 3R; we take 4R, kept between 100 ms and the configured RTO. On a LAN or loopback the
 * tests that expect silence then end after 1.5 s instead of 3 s; on a long path nothing changes.
 */
export function adaptiveTiming(timing: StunTiming, rttMs: number): StunTiming {
  const rtoMs = Math.min(timing.rtoMs, Math.max(MIN_ADAPTIVE_RTO_MS, Math.ceil(4 * rttMs)));
  return { ...timing, rtoMs };
}

export interface TlsTrust {
  /** Extra trust anchors (PEM) for stuns:/turns: servers, besides the system store (SIP TLS's). */
  ca?: string[];
  /** Only for tests that mean it. */
  rejectUnauthorized?: boolean;
}

export interface ProbeContext {
  clock: Clock;
  network: Network;
  timing: StunTiming;
  /** TCP/TLS connect timeout in ms. */
  connectTimeoutMs: number;
  tls: TlsTrust;
  software?: string;
  signal?: AbortSignal;
  /** Monotonic time the check started (records are relative to it). */
  startedAt: number;
  record(entry: NatTestRecord): void;
}

export function toTransportAddress(a: SocketAddress): TransportAddress {
  return { address: a.address, port: a.port };
}

export function sameTransportAddress(a: SocketAddress | undefined, b: SocketAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port;
}

/** A raw measurement from a STUN transaction result. */
export function recordOf(
  ctx: ProbeContext,
  test: NatTestName,
  transport: NatServerTransport,
  local: SocketAddress | undefined,
  to: SocketAddress,
  sentAt: number,
  result: StunTransactionResult,
  detail: string | null = null,
): NatTestRecord {
  const answered =
    result.outcome === 'success' ||
    result.outcome === 'error-response' ||
    result.outcome === 'invalid-response';
  const mapped =
    result.outcome === 'success'
      ? (result.response.attributes.xorMappedAddress ?? result.response.attributes.mappedAddress)
      : undefined;
  const errorDetail =
    result.outcome === 'error-response'
      ? `${result.error.code} ${result.error.reason}`
      : result.outcome === 'invalid-response' || result.outcome === 'transport-failed'
        ? result.reason
        : null;
  return {
    test,
    atMs: Math.max(0, sentAt - ctx.startedAt),
    transport,
    local: local ? toTransportAddress(local) : null,
    requestTo: toTransportAddress(to),
    responseFrom: answered ? toTransportAddress(result.from) : null,
    mappedAddress: mapped ? toTransportAddress(mapped) : null,
    outcome: result.outcome,
    sends: result.sends,
    elapsedMs: result.elapsedMs,
    detail: detail ?? errorDetail,
  };
}

/** A UDP socket with a STUN endpoint on it; `close()` releases both. */
export interface UdpProbe {
  socket: DatagramSocket;
  endpoint: StunEndpoint;
  close(): void;
}

export async function openUdpProbe(ctx: ProbeContext, family: IpFamily): Promise<UdpProbe> {
  const socket = await ctx.network.bindDatagram({ family });
  const endpoint = stunOverDatagramSocket(socket, {
    clock: ctx.clock,
    timing: ctx.timing,
    ...(ctx.software ? { software: ctx.software } : {}),
  });
  const onAbort = (): void => endpoint.client.cancelAll('check cancelled');
  ctx.signal?.addEventListener('abort', onAbort);
  return {
    socket,
    endpoint,
    close: () => {
      ctx.signal?.removeEventListener('abort', onAbort);
      endpoint.dispose();
      socket.close();
    },
  };
}

export interface StreamProbe {
  connection: StreamConnection;
  endpoint: StunEndpoint;
  close(): void;
}

export type StreamOpenResult =
  { ok: true; probe: StreamProbe; connectMs: number } | { ok: false; error: NatServerError };

/** Connect over TCP or TLS (SNI and certificate check against `servername`). */
export async function openStreamProbe(
  ctx: ProbeContext,
  remote: SocketAddress,
  transport: 'tcp' | 'tls',
  servername: string,
): Promise<StreamOpenResult> {
  const started = ctx.clock.monotonic();
  let connection: StreamConnection;
  try {
    connection = await ctx.network.connect({
      remote,
      timeoutMs: ctx.connectTimeoutMs,
      ...(transport === 'tls' ? { tls: tlsClientOptions(ctx, servername) } : {}),
    });
  } catch (error) {
    const failure = {
      code: errorCode(error),
      message: error instanceof Error ? error.message : String(error),
    };
    return { ok: false, error: connectError(failure, transport, remote, ctx.connectTimeoutMs, servername) };
  }
  const endpoint = stunOverStream(connection, {
    clock: ctx.clock,
    timing: ctx.timing,
    ...(ctx.software ? { software: ctx.software } : {}),
  });
  const onAbort = (): void => endpoint.client.cancelAll('check cancelled');
  ctx.signal?.addEventListener('abort', onAbort);
  return {
    ok: true,
    connectMs: ctx.clock.monotonic() - started,
    probe: {
      connection,
      endpoint,
      close: () => {
        ctx.signal?.removeEventListener('abort', onAbort);
        endpoint.dispose();
        connection.close();
      },
    },
  };
}

const TLS_ERROR =
  /^(ERR_TLS|ERR_SSL|EPROTO|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH)/;

/** SNI and certificate check against `servername`, with the check's trust settings. */
export function tlsClientOptions(ctx: ProbeContext, servername: string): TlsClientOptions {
  return {
    servername,
    ...(ctx.tls.ca ? { ca: ctx.tls.ca } : {}),
    ...(ctx.tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * Plain words for a failed TCP/TLS connect (`code`: the platform's error code, e.g. ETIMEDOUT); a refused
 * certificate is named as such ("certificate not trusted") with the name it was checked for.
 */
export function connectError(
  failure: { code: string | undefined; message: string },
  transport: 'tcp' | 'tls',
  remote: SocketAddress,
  timeoutMs: number,
  servername?: string,
): NatServerError {
  const code = failure.code ?? '';
  const where = formatAddress(remote);
  const problem = transport === 'tls' ? tlsCertificateProblemOf(failure.code) : undefined;
  if (problem !== undefined) {
    const name = servername ?? where;
    const hint =
      problem === 'untrusted'
        ? ' Its CA is neither in the system store nor among the extra TLS trust anchors.'
        : '';
    return {
      code: 'tls',
      message:
        `TLS with ${where} failed: ${describeTlsCertificateProblem(problem)} for ${name} (${failure.message || code}).${hint}`.slice(
          0,
          500,
        ),
    };
  }
  if (code === 'ETIMEDOUT')
    return {
      code: 'timeout',
      message: `No ${transport.toUpperCase()} connection to ${where} within ${timeoutMs / 1000} s.`,
    };
  if (code === 'ECONNREFUSED')
    return { code: 'connect', message: `${where} refused the ${transport.toUpperCase()} connection.` };
  if (transport === 'tls' && (TLS_ERROR.test(code) || code === 'ECONNRESET'))
    return { code: 'tls', message: `TLS with ${where} failed: ${failure.message || code}`.slice(0, 500) };
  return { code: 'connect', message: `Could not connect to ${where}: ${failure.message}`.slice(0, 500) };
}

/** Wait `ms` on the clock; resolves false early when the check is cancelled. The timer never outlives it. */
export function delay(ctx: ProbeContext, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (ctx.signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    const timer = ctx.clock.setTimer(ms, () => {
      ctx.signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

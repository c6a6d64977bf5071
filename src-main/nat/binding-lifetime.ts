/**
 * How long the NAT keeps an idle UDP binding (RFC 5780 §4.6), which decides how often keepalives must go
 * (SIP over UDP, RFC 5626 §4.4.1; ICE consent, RFC 7675).
 *
 * RFC 5780 §4.6 measures with two sockets: X opens a binding towards the server and falls silent; after a
 * delay, Y asks the server (RESPONSE-PORT, §7.5) to send its answer to X's public port. If X hears it, the
 * binding lived that long. Y's own packets cannot refresh X's binding.
 *
 * Sequential probing (one delay after another) would take minutes. Instead every delay gets its own X, all
 * opened at once, and Y probes each at its time: the whole test takes about the longest delay, capped by
 * `maxS`. Bindings do not come back once gone, so the first delay whose probe goes unheard ends the test:
 *
 *     X_5   ●─────────────────▶?  heard      lower bound 5
 *     X_10  ●──────────────────────────▶?  heard      lower bound 10
 *     X_20  ●───────────────────────────────────────────▶?  not heard → upper bound 20; stop
 *           t0 (Binding from each X)
 *
 * Y first checks that the server honours RESPONSE-PORT (an answer to its own port); servers without RFC
 * 5780 answer 420, and the lifetime stays unknown.
 */
import type { IpFamily, SocketAddress } from '../platform/index.ts';
import { StunClient, StunMethod, decodeStunMessage } from '../media/stun/index.ts';
import type { StunTiming } from '../media/stun/index.ts';
import { adaptiveTiming, delay, openUdpProbe, recordOf, sameTransportAddress } from './probe-context.ts';
import type { ProbeContext, UdpProbe } from './probe-context.ts';

/** Delays probed, in seconds, before the cap is applied (the cap itself is always probed). */
export const LIFETIME_DELAYS_S: readonly number[] = [
  5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600,
];

export interface LifetimeOptions {
  server: SocketAddress;
  /** Longest delay probed, in seconds. */
  maxS: number;
  /** Override the delays (seconds); the cap still applies. */
  delaysS?: readonly number[];
  onStep?: (detail: string) => void;
}

export type LifetimeResult =
  | {
      measured: true;
      /** The longest delay after which the binding still worked (null: not even the shortest). */
      lowerBoundS: number | null;
      /** The first delay after which it was gone (null: it survived every probe). */
      upperBoundS: number | null;
      /** Every probe up to the cap was heard: the lifetime is at least the cap. */
      capped: boolean;
      probes: { delayS: number; alive: boolean }[];
    }
  | {
      measured: false;
      reason: 'unreachable' | 'response-port-unsupported' | 'address-changes' | 'cancelled';
    };

export function lifetimeDelays(maxS: number, delaysS: readonly number[] = LIFETIME_DELAYS_S): number[] {
  if (!(maxS > 0)) throw new RangeError(`maxS must be > 0, got ${maxS}`);
  return [...new Set([...delaysS.filter((d) => d > 0 && d < maxS), maxS])].sort((a, b) => a - b);
}

export async function measureBindingLifetime(
  ctx: ProbeContext,
  options: LifetimeOptions,
): Promise<LifetimeResult> {
  const { server } = options;
  const family: IpFamily = server.family;
  const delays = lifetimeDelays(options.maxS, options.delaysS);
  const probes: UdpProbe[] = [];
  const open = async (): Promise<UdpProbe> => {
    const probe = await openUdpProbe(ctx, family);
    probes.push(probe);
    return probe;
  };
  try {
    const prober = await open();
    const targets = await Promise.all(delays.map(() => open()));

    // t0: every X opens its binding; Y learns its own public address and checks RESPONSE-PORT.
    let rttMs = Infinity;
    const [own, ...opened] = await Promise.all(
      [prober, ...targets].map(async (probe) => {
        const sentAt = ctx.clock.monotonic();
        const result = await probe.endpoint.client.request({ method: StunMethod.binding }, server);
        ctx.record(
          recordOf(
            ctx,
            'lifetime-probe',
            'udp',
            probe.socket.local,
            server,
            sentAt,
            result,
            'opening the binding',
          ),
        );
        if (result.outcome !== 'success') return undefined;
        rttMs = Math.min(rttMs, result.elapsedMs / result.sends);
        return result.response.attributes.xorMappedAddress ?? result.response.attributes.mappedAddress;
      }),
    );
    if (own === undefined || opened.some((m) => m === undefined))
      return { measured: false, reason: 'unreachable' };
    if (opened.some((m) => m?.address !== own.address)) return { measured: false, reason: 'address-changes' };
    // The last probe usually waits for silence: pace the probes by the round trip (see adaptiveTiming).
    const timing = adaptiveTiming(ctx.timing, rttMs);

    const supported = await probeResponsePort(
      ctx,
      timing,
      prober,
      prober,
      server,
      own.port,
      'lifetime-response-port',
    );
    if (ctx.signal?.aborted) return { measured: false, reason: 'cancelled' };
    if (supported !== true) return { measured: false, reason: 'response-port-unsupported' };

    const started = ctx.clock.monotonic();
    const results: { delayS: number; alive: boolean }[] = [];
    for (const [index, delayS] of delays.entries()) {
      const target = targets[index];
      const mapped = opened[index];
      if (target === undefined || mapped === undefined) break;
      options.onStep?.(
        `waiting ${delayS} s, then asking the server to answer to ${mapped.address}:${mapped.port}`,
      );
      const due = started + delayS * 1000 - ctx.clock.monotonic();
      if (!(await delay(ctx, Math.max(0, due)))) return { measured: false, reason: 'cancelled' };
      const alive = await probeResponsePort(
        ctx,
        timing,
        prober,
        target,
        server,
        mapped.port,
        'lifetime-probe',
      );
      if (alive === undefined) return { measured: false, reason: 'cancelled' };
      results.push({ delayS, alive });
      if (!alive) break;
    }
    const lastAlive = [...results].reverse().find((r) => r.alive);
    const firstDead = results.find((r) => !r.alive);
    return {
      measured: true,
      lowerBoundS: lastAlive?.delayS ?? null,
      upperBoundS: firstDead?.delayS ?? null,
      capped: firstDead === undefined && results.length === delays.length,
      probes: results,
    };
  } finally {
    for (const probe of probes) probe.close();
  }
}

/**
 * Y sends a Binding request with RESPONSE-PORT = `port`; the answer is expected on `target`'s socket
 * only (a binding that is gone could have its port taken by another socket). true: heard; false: silence
 * or refusal; undefined: cancelled.
 */
async function probeResponsePort(
  ctx: ProbeContext,
  timing: StunTiming,
  prober: UdpProbe,
  target: UdpProbe,
  server: SocketAddress,
  port: number,
  test: 'lifetime-response-port' | 'lifetime-probe',
): Promise<boolean | undefined> {
  // A client that sends through Y and hears only what reaches the target's socket.
  const client = new StunClient({
    clock: ctx.clock,
    reliable: false,
    timing,
    send: (bytes, to) => prober.socket.send(bytes, to),
  });
  const subscription = target.socket.onMessage((data, from) => {
    const decoded = decodeStunMessage(data);
    if (decoded.ok) client.receive(decoded.message, from);
  });
  const onAbort = (): void => client.cancelAll('check cancelled');
  ctx.signal?.addEventListener('abort', onAbort);
  try {
    const sentAt = ctx.clock.monotonic();
    const result = await client.request(
      { method: StunMethod.binding, attributes: { responsePort: port } },
      server,
    );
    ctx.record(
      recordOf(
        ctx,
        test,
        'udp',
        prober.socket.local,
        server,
        sentAt,
        result,
        `RESPONSE-PORT ${port}, answer expected on ${target.socket.local.port}`,
      ),
    );
    if (result.outcome === 'cancelled') return undefined;
    return result.outcome === 'success' && sameTransportAddress(result.from, server);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    subscription.dispose();
    client.close();
  }
}

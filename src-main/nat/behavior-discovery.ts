/**
 * NAT behaviour discovery (RFC 5780 §4) against one STUN server that has two addresses and two ports.
 * The server at P:p names its alternate A:a in OTHER-ADDRESS.
 *
 *   socket 1  Test I    → P:p                                 mapped M1 (public address, port preservation)
 *             Test II   → A:p        M2 = M1 → endpoint-independent mapping
 *             Test III  → A:a        M3 = M2 → address-dependent, else address-and-port-dependent
 *   socket 2  Test II   → P:p, CHANGE-REQUEST ip+port: answered from A:a → endpoint-independent filtering
 *   socket 3  Test III  → P:p, CHANGE-REQUEST port:    answered from P:a → address-dependent filtering
 *                       neither answer arrives                          → address-and-port-dependent
 *   socket 4  hairpin   ↔ M1 (and socket 1 → M4)           either side hears the other → hairpinning
 *
 * Departures from the letter of RFC 5780, and why:
 *  - The filtering tests run on fresh sockets. On socket 1, Test II and III of the mapping test have
 *    already sent to A, which opens an address-dependent filter to A and would hide it.
 *  - Filtering and hairpinning tests expect silence by design, so everything after Test I runs in
 *    parallel: the check takes about one transaction timeout, not three.
 *  - §4.5's hairpin test (socket 4 sends to M1) meets M1's filtering, which applies to hairpinned packets
 *    too (RFC 4787 §6); a port-restricted NAT that hairpins would look as if it did not. Socket 1 sends to
 *    M4 at the same time, so each side has opened its filter to the other, as two ICE agents behind one
 *    NAT would.
 *  - A response to a CHANGE-REQUEST must come from the changed address: a server that ignores the
 *    attribute answers from P:p, and counting that answer would report "endpoint-independent" for every
 *    NAT. Such a server, or one that refuses the attribute (420), leaves filtering unknown.
 *
 * Without OTHER-ADDRESS, mapping can still be compared across two servers with different addresses
 * (same public port from both → endpoint-independent; different → not), and filtering stays unknown.
 */
import type { IpFamily, SocketAddress } from '../platform/index.ts';
import { StunMethod, bindingSuccess, newTransactionId, transactionKey } from '../media/stun/index.ts';
import type { StunAttributes, StunTiming, StunTransactionResult } from '../media/stun/index.ts';
import { UNKNOWN_BEHAVIOR, known } from './nat-type.ts';
import type { BehaviorKnowledge } from './nat-type.ts';
import { adaptiveTiming, openUdpProbe, recordOf, sameTransportAddress } from './probe-context.ts';
import type { ProbeContext, UdpProbe } from './probe-context.ts';
import type { NatTestName } from '../../src-shared/model/nat.ts';

export interface BehaviorDiscoveryOptions {
  /** The STUN server (its primary address P:p). */
  server: SocketAddress;
  /** Our interface addresses, to tell "no NAT" (the mapped address is ours). */
  localAddresses: readonly string[];
  /** Another server, with a different address, for a mapping comparison when OTHER-ADDRESS is missing. */
  secondServer?: SocketAddress;
  onStep?: (step: 'mapping' | 'filtering' | 'hairpinning', detail: string) => void;
}

/** Why part of the behaviour stayed unknown. */
export type DiscoveryNote =
  | 'no-other-address'
  | 'alternate-unreachable'
  | 'change-request-ignored'
  | 'change-request-refused'
  | 'compared-two-servers';

export interface BehaviorDiscoveryResult {
  server: SocketAddress;
  /** Test I was answered: UDP to this server works. */
  reachable: boolean;
  publicAddress: SocketAddress | null;
  localPort: number | null;
  portPreserved: boolean | null;
  noNat: boolean;
  mapping: BehaviorKnowledge;
  filtering: BehaviorKnowledge;
  hairpinning: boolean | null;
  otherAddress: SocketAddress | null;
  notes: DiscoveryNote[];
}

interface Binding {
  result: StunTransactionResult;
  mapped: SocketAddress | undefined;
}

async function binding(
  ctx: ProbeContext,
  probe: UdpProbe,
  test: NatTestName,
  to: SocketAddress,
  attributes: StunAttributes = {},
  timing?: StunTiming,
): Promise<Binding> {
  const sentAt = ctx.clock.monotonic();
  const result = await probe.endpoint.client.request(
    { method: StunMethod.binding, attributes },
    to,
    timing ? { timing } : {},
  );
  ctx.record(recordOf(ctx, test, 'udp', probe.socket.local, to, sentAt, result));
  const mapped =
    result.outcome === 'success'
      ? (result.response.attributes.xorMappedAddress ?? result.response.attributes.mappedAddress)
      : undefined;
  return { result, mapped };
}

export async function discoverBehavior(
  ctx: ProbeContext,
  options: BehaviorDiscoveryOptions,
): Promise<BehaviorDiscoveryResult> {
  const { server } = options;
  const family: IpFamily = server.family;
  const probes: UdpProbe[] = [];
  const open = async (): Promise<UdpProbe> => {
    const probe = await openUdpProbe(ctx, family);
    probes.push(probe);
    return probe;
  };
  try {
    const primary = await open();
    // The hairpin test's second socket learns its public address at the same time as Test I.
    const second = open().then(async (probe) => ({
      probe,
      learned: await binding(ctx, probe, 'hairpinning', server),
    }));
    options.onStep?.('mapping', `Test I: Binding to ${address(server)}`);
    const test1 = await binding(ctx, primary, 'mapping-1', server);
    const hairpinSocket = await second;
    const m1 = test1.mapped;
    const unreachable: BehaviorDiscoveryResult = {
      server,
      reachable: test1.result.outcome !== 'timeout' && test1.result.outcome !== 'transport-failed',
      publicAddress: null,
      localPort: primary.socket.local.port,
      portPreserved: null,
      noNat: false,
      mapping: UNKNOWN_BEHAVIOR,
      filtering: UNKNOWN_BEHAVIOR,
      hairpinning: null,
      otherAddress: null,
      notes: [],
    };
    if (test1.result.outcome !== 'success' || m1 === undefined) return unreachable;

    // The tests that follow wait for silence; pace them by the round trip just measured.
    const timing = adaptiveTiming(ctx.timing, test1.result.elapsedMs / test1.result.sends);
    const attributes = test1.result.response.attributes;
    const other = attributes.otherAddress ?? attributes.changedAddress;
    const localPort = primary.socket.local.port;
    const noNat = options.localAddresses.includes(m1.address) && m1.port === localPort;
    const notes: DiscoveryNote[] = [];
    if (other === undefined) notes.push('no-other-address');

    const [mapping, filtering, hairpinning] = await Promise.all([
      noNat
        ? Promise.resolve(known('endpoint-independent'))
        : mappingBehavior(ctx, options, primary, m1, other, notes),
      other === undefined
        ? Promise.resolve(UNKNOWN_BEHAVIOR)
        : filteringBehavior(ctx, options, open, server, other, notes, timing),
      noNat
        ? Promise.resolve(null)
        : hairpinBehavior(
            ctx,
            options,
            primary,
            hairpinSocket.probe,
            hairpinSocket.learned.mapped,
            m1,
            timing,
          ),
    ]);
    return {
      server,
      reachable: true,
      publicAddress: m1,
      localPort,
      portPreserved: m1.port === localPort,
      noNat,
      mapping,
      filtering,
      hairpinning,
      otherAddress: other ?? null,
      notes,
    };
  } finally {
    for (const probe of probes) probe.close();
  }
}

/** RFC 5780 §4.3 (or the two-server comparison). */
async function mappingBehavior(
  ctx: ProbeContext,
  options: BehaviorDiscoveryOptions,
  primary: UdpProbe,
  m1: SocketAddress,
  other: SocketAddress | undefined,
  notes: DiscoveryNote[],
): Promise<BehaviorKnowledge> {
  if (other === undefined) {
    const second = options.secondServer;
    if (second === undefined || second.address === options.server.address) return UNKNOWN_BEHAVIOR;
    notes.push('compared-two-servers');
    options.onStep?.('mapping', `Binding to a second server ${address(second)}`);
    const test = await binding(ctx, primary, 'mapping-2', second);
    if (test.mapped === undefined) return UNKNOWN_BEHAVIOR;
    return sameTransportAddress(test.mapped, m1)
      ? known('endpoint-independent')
      : ['address-dependent', 'address-and-port-dependent'];
  }
  const alternateIp: SocketAddress = { ...other, port: options.server.port };
  options.onStep?.('mapping', `Test II: Binding to the alternate address ${address(alternateIp)}`);
  const test2 = await binding(ctx, primary, 'mapping-2', alternateIp);
  if (test2.mapped === undefined) {
    notes.push('alternate-unreachable');
    return UNKNOWN_BEHAVIOR;
  }
  if (sameTransportAddress(test2.mapped, m1)) return known('endpoint-independent');
  options.onStep?.('mapping', `Test III: Binding to the alternate address and port ${address(other)}`);
  const test3 = await binding(ctx, primary, 'mapping-3', other);
  if (test3.mapped === undefined) {
    notes.push('alternate-unreachable');
    return ['address-dependent', 'address-and-port-dependent'];
  }
  return sameTransportAddress(test3.mapped, test2.mapped)
    ? known('address-dependent')
    : known('address-and-port-dependent');
}

type FilterTestOutcome = 'answered' | 'silent' | 'unusable';

/** RFC 5780 §4.4, each test on its own fresh socket, both at once. */
async function filteringBehavior(
  ctx: ProbeContext,
  options: BehaviorDiscoveryOptions,
  open: () => Promise<UdpProbe>,
  server: SocketAddress,
  other: SocketAddress,
  notes: DiscoveryNote[],
  timing: StunTiming,
): Promise<BehaviorKnowledge> {
  options.onStep?.(
    'filtering',
    'Tests II and III: asking the server to answer from its other address and port',
  );
  const run = async (
    test: NatTestName,
    changeIp: boolean,
    expectedFrom: SocketAddress,
  ): Promise<FilterTestOutcome> => {
    const probe = await open();
    const { result } = await binding(
      ctx,
      probe,
      test,
      server,
      { changeRequest: { changeIp, changePort: true } },
      timing,
    );
    switch (result.outcome) {
      case 'success':
        if (sameTransportAddress(result.from, expectedFrom)) return 'answered';
        if (!notes.includes('change-request-ignored')) notes.push('change-request-ignored');
        return 'unusable';
      case 'error-response':
      case 'invalid-response':
        if (!notes.includes('change-request-refused')) notes.push('change-request-refused');
        return 'unusable';
      case 'timeout':
        return 'silent';
      case 'cancelled':
      case 'transport-failed':
        return 'unusable';
    }
  };
  const [changeBoth, changePort] = await Promise.all([
    run('filtering-2', true, other),
    run('filtering-3', false, { ...server, port: other.port }),
  ]);
  if (changeBoth === 'answered') return known('endpoint-independent');
  if (changeBoth === 'unusable') return UNKNOWN_BEHAVIOR;
  // Test II went unanswered: not endpoint-independent.
  if (changePort === 'answered') return known('address-dependent');
  if (changePort === 'silent') return known('address-and-port-dependent');
  return ['address-dependent', 'address-and-port-dependent'];
}

/** RFC 5780 §4.5, made two-way (see the file comment). */
async function hairpinBehavior(
  ctx: ProbeContext,
  options: BehaviorDiscoveryOptions,
  primary: UdpProbe,
  second: UdpProbe,
  m4: SocketAddress | undefined,
  m1: SocketAddress,
  timing: StunTiming,
): Promise<boolean | null> {
  if (m4 === undefined) return null;
  options.onStep?.('hairpinning', `Sending to our own public address ${address(m1)} from a second socket`);

  const toPrimary = newTransactionId();
  const toSecond = newTransactionId();
  let heard = false;
  const stop = new AbortController();
  const listen = (probe: UdpProbe, expected: Buffer) =>
    probe.endpoint.onRequest(({ message, from }) => {
      if (transactionKey(message.transactionId) !== transactionKey(expected)) return;
      heard = true;
      probe.endpoint.send(bindingSuccess(message, from), from, { fingerprint: true });
      stop.abort();
    });
  const subscriptions = [listen(primary, toPrimary), listen(second, toSecond)];
  try {
    const exchange = async (probe: UdpProbe, id: Buffer, to: SocketAddress): Promise<void> => {
      const sentAt = ctx.clock.monotonic();
      const result = await probe.endpoint.client.request(
        { method: StunMethod.binding, transactionId: id },
        to,
        { signal: stop.signal, timing },
      );
      ctx.record(
        recordOf(
          ctx,
          'hairpinning',
          'udp',
          probe.socket.local,
          to,
          sentAt,
          result,
          heard ? 'hairpinned request received' : 'no hairpinned request received',
        ),
      );
    };
    await Promise.all([exchange(second, toPrimary, m1), exchange(primary, toSecond, m4)]);
    return heard;
  } finally {
    for (const s of subscriptions) s.dispose();
  }
}

function address(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

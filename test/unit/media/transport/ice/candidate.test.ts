import { describe, expect, it } from 'vitest';
import {
  TYPE_PREFERENCE,
  candidateFoundation,
  candidatePriority,
  isLinkLocalIpv6,
  pairPriority,
} from '../../../../../src-main/media/transport/index.ts';
import { CandidatePair } from '../../../../../src-main/media/transport/ice/candidate-pair.ts';
import type {
  CandidateBase,
  LocalCandidate,
  RemoteCandidate,
} from '../../../../../src-main/media/transport/ice/candidate-pair.ts';
import { CheckList, formPairs } from '../../../../../src-main/media/transport/ice/check-list.ts';
import type { ComponentTransport } from '../../../../../src-main/media/transport/ice/component-transport.ts';
import type { TurnRelay } from '../../../../../src-main/media/stun/index.ts';

describe('candidate priority (RFC 8445 §5.1.2.1)', () => {
  it('uses the recommended type preferences', () => {
    expect(TYPE_PREFERENCE).toEqual({ host: 126, prflx: 110, srflx: 100, relay: 0 });
  });

  it('is (2^24)·type + (2^8)·local + (256 − component)', () => {
    expect(candidatePriority('host', 65535, 1)).toBe(2_130_706_431);
    expect(candidatePriority('host', 65535, 2)).toBe(2_130_706_430);
    expect(candidatePriority('srflx', 65535, 1)).toBe(1_694_498_815);
    expect(candidatePriority('prflx', 65535, 1)).toBe(1_862_270_975);
    expect(candidatePriority('relay', 65535, 1)).toBe(16_777_215);
    expect(candidatePriority('host', 65407, 1)).toBe(2_130_673_663);
    expect(candidatePriority('relay', 0, 256)).toBe(0);
  });

  it('refuses local preferences and components out of range', () => {
    expect(() => candidatePriority('host', 65536, 1)).toThrow(RangeError);
    expect(() => candidatePriority('host', -1, 1)).toThrow(RangeError);
    expect(() => candidatePriority('host', 1, 0)).toThrow(RangeError);
    expect(() => candidatePriority('host', 1.5, 1)).toThrow(RangeError);
  });
});

describe('pair priority (RFC 8445 §6.1.2.3)', () => {
  it('is 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D?1:0), exact beyond 2^53', () => {
    const g = 2_130_706_431;
    const d = 1_694_498_815;
    expect(pairPriority(g, d)).toBe(1_694_498_815n * 4_294_967_296n + 2n * 2_130_706_431n + 1n);
    expect(pairPriority(d, g)).toBe(1_694_498_815n * 4_294_967_296n + 2n * 2_130_706_431n);
    expect(pairPriority(g, d) - pairPriority(d, g)).toBe(1n);
    expect(pairPriority(g, d)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(pairPriority(5, 5)).toBe(5n * 4_294_967_296n + 10n);
  });
});

describe('foundations (RFC 8445 §5.1.1.3)', () => {
  it('are equal for the same type, base IP, server and transport, and differ otherwise', () => {
    const a = candidateFoundation({ type: 'srflx', baseAddress: '10.0.0.2', server: '203.0.113.5' });
    expect(candidateFoundation({ type: 'srflx', baseAddress: '10.0.0.2', server: '203.0.113.5' })).toBe(a);
    expect(candidateFoundation({ type: 'srflx', baseAddress: '10.0.0.3', server: '203.0.113.5' })).not.toBe(
      a,
    );
    expect(candidateFoundation({ type: 'srflx', baseAddress: '10.0.0.2', server: '203.0.113.6' })).not.toBe(
      a,
    );
    expect(candidateFoundation({ type: 'host', baseAddress: '10.0.0.2' })).not.toBe(a);
    const udp = candidateFoundation({
      type: 'relay',
      baseAddress: '203.0.113.5',
      server: '203.0.113.5',
      relayTransport: 'udp',
    });
    const tcp = candidateFoundation({
      type: 'relay',
      baseAddress: '203.0.113.5',
      server: '203.0.113.5',
      relayTransport: 'tcp',
    });
    expect(udp).not.toBe(tcp);
  });

  it('are 8 ice-chars', () => {
    expect(candidateFoundation({ type: 'host', baseAddress: '::1' })).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('link-local IPv6', () => {
  it('recognises fe80::/10 only', () => {
    expect(isLinkLocalIpv6('fe80::1')).toBe(true);
    expect(isLinkLocalIpv6('FEBF::1')).toBe(true);
    expect(isLinkLocalIpv6('fec0::1')).toBe(false);
    expect(isLinkLocalIpv6('2001:db8::1')).toBe(false);
  });
});

// ───────── checklist formation ─────────

const socketA = { kind: 'socket', component: 1, transport: {} as ComponentTransport } satisfies CandidateBase;
const socketA2 = {
  kind: 'socket',
  component: 2,
  transport: {} as ComponentTransport,
} satisfies CandidateBase;
const relayBase = { kind: 'relay', component: 1, relay: {} as TurnRelay } satisfies CandidateBase;
let ids = 1;

function local(
  type: LocalCandidate['type'],
  address: string,
  port: number,
  base: CandidateBase,
  pref = 65535,
): LocalCandidate {
  const component = base.component;
  return {
    id: ids++,
    foundation: candidateFoundation({ type, baseAddress: type === 'srflx' ? '10.0.0.2' : address }),
    component,
    transport: 'udp',
    priority: candidatePriority(type, pref, component),
    address: { address, port, family: address.includes(':') ? 6 : 4 },
    type,
    base,
    localPreference: pref,
  };
}

function remote(
  type: RemoteCandidate['type'],
  address: string,
  port: number,
  component: 1 | 2 = 1,
  foundation?: string,
): RemoteCandidate {
  return {
    id: ids++,
    foundation: foundation ?? `r${ids}`,
    component,
    transport: 'udp',
    priority: candidatePriority(type, 65535, component),
    address: { address, port, family: address.includes(':') ? 6 : 4 },
    type,
    learned: false,
  };
}

describe('pair formation and pruning (RFC 8445 §6.1.2.2, §6.1.2.4)', () => {
  const hostA = local('host', '10.0.0.2', 4000, socketA);
  const hostA2 = local('host', '10.0.0.2', 4001, socketA2);
  const srflxA = local('srflx', '198.51.100.1', 4000, socketA);
  const relayA = local('relay', '203.0.113.5', 49152, relayBase);
  const baseOf = (c: LocalCandidate): LocalCandidate => (c.type === 'srflx' ? hostA : c);

  it('pairs by component and family, replaces srflx by its base and drops the duplicate', () => {
    const r1 = remote('host', '10.0.1.2', 5000);
    const r2 = remote('srflx', '198.51.100.2', 5000);
    const r6 = remote('host', '2001:db8::2', 5000);
    const r2c2 = remote('host', '10.0.1.2', 5001, 2);
    const pairs = formPairs([hostA, srflxA, relayA, hostA2], [r1, r2, r6, r2c2], 'controlling', baseOf);
    const described = pairs.map(
      (p) => `${p.component} ${p.local.type}:${p.local.address.port} → ${p.remote.address.address}`,
    );
    expect(described).toEqual([
      '1 host:4000 → 10.0.1.2',
      '2 host:4001 → 10.0.1.2',
      '1 host:4000 → 198.51.100.2',
      '1 relay:49152 → 10.0.1.2',
      '1 relay:49152 → 198.51.100.2',
    ]);
    expect(pairs.every((p) => p.state === 'frozen')).toBe(true);
  });

  it('keeps only the best of pairs that are one 5-tuple on the wire (one wildcard socket)', () => {
    const hostB = local('host', '10.9.9.9', 4000, socketA, 65407);
    const r1 = remote('host', '10.0.1.2', 5000);
    const pairs = formPairs([hostB, hostA], [r1], 'controlled', baseOf);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]?.local).toBe(hostA);
  });

  it('limits the checklist (§6.1.2.5) to the highest-priority pairs', () => {
    const remotes = Array.from({ length: 10 }, (_, i) => remote('host', `10.0.1.${i + 1}`, 5000));
    expect(formPairs([hostA], remotes, 'controlling', baseOf, 4)).toHaveLength(4);
  });

  it('unfreezes one pair per foundation, lowest component first (§6.1.2.6)', () => {
    const list = new CheckList();
    const shared = 'same';
    const r1 = remote('host', '10.0.1.2', 5000, 1, shared);
    const r2 = remote('host', '10.0.1.2', 5001, 2, shared);
    const r3 = remote('host', '10.0.1.3', 5000, 1, shared);
    for (const p of formPairs([hostA, hostA2], [r1, r2, r3], 'controlling', baseOf)) list.add(p);
    list.unfreezeInitial(() => {});
    expect(list.pairs.map((p) => `${p.component}:${p.remote.address.address}:${p.state}`)).toEqual([
      '1:10.0.1.2:waiting',
      '1:10.0.1.3:frozen',
      '2:10.0.1.2:frozen',
    ]);
    // §6.1.4.2: the Ta pacer takes the waiting pair; then, with none waiting, a frozen pair is unfrozen
    // only when no pair of its foundation is waiting or in progress.
    const first = list.nextCheck(() => {});
    expect(first?.pair.remote.address.address).toBe('10.0.1.2');
    first?.pair.moveTo('in-progress', 'test');
    expect(list.nextCheck(() => {})).toBeUndefined();
    expect(list.hasWork()).toBe(false);
    first?.pair.moveTo('failed', 'test');
    expect(list.hasWork()).toBe(true);
    expect(list.nextCheck(() => {})?.pair.remote.address.address).toBe('10.0.1.3');
  });

  it('serves the triggered-check queue first, FIFO, each pair once', () => {
    const list = new CheckList();
    const r1 = remote('host', '10.0.1.2', 5000);
    const r2 = remote('host', '10.0.1.3', 5000);
    for (const p of formPairs([hostA], [r1, r2], 'controlling', baseOf)) list.add(p);
    list.unfreezeInitial(() => {});
    const [p1, p2] = list.pairs as [CandidatePair, CandidatePair];
    list.enqueueTriggered(p2, false);
    list.enqueueTriggered(p1, false);
    list.enqueueTriggered(p2, true);
    expect(list.triggered.map((t) => [t.pair, t.nominate])).toEqual([
      [p2, true],
      [p1, false],
    ]);
    expect(list.nextCheck(() => {})?.pair).toBe(p2);
  });

  it('refuses illegal pair moves', () => {
    const pair = new CandidatePair(hostA, remote('host', '10.0.1.2', 5000), 'controlling', 'frozen');
    expect(() => pair.moveTo('succeeded', 'no check')).toThrow(/illegal move frozen → succeeded/);
    pair.moveTo('waiting', 'ok');
    pair.moveTo('in-progress', 'ok');
    pair.moveTo('succeeded', 'ok');
    expect(() => pair.moveTo('failed', 'late')).toThrow(/illegal move succeeded → failed/);
  });

  it('recomputes the pair priority when the role changes', () => {
    const r = remote('srflx', '198.51.100.2', 5000);
    const pair = new CandidatePair(hostA, r, 'controlling', 'frozen');
    expect(pair.priority).toBe(pairPriority(hostA.priority, r.priority));
    pair.updatePriority('controlled');
    expect(pair.priority).toBe(pairPriority(r.priority, hostA.priority));
  });
});

/**
 * The fake phone's NAT check: `diagnostics.run` streams a few `diagnostics.progress` steps, then
 * announces and answers `report`; `diagnostics.lastReport` answers the last one (none at first). The
 * default report is a port-restricted cone NAT with a working STUN and TURN server, its explanation
 * written by the phone's own `explain` (src-main/nat), so the statements are the real ones.
 */
import type {
  NatCheckProgress,
  NatCheckRequest,
  NatReport,
  NatServerResult,
} from '../../../src-shared/model/nat.ts';
import { explain, known } from '../../../src-main/nat/index.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_NAT_STARTED_AT = Date.UTC(2025, 5, 16, 9, 30, 0);

const STUN_OK: NatServerResult = {
  uri: 'stun:stun.example.net:3478',
  kind: 'stun',
  transport: 'udp',
  source: 'configured',
  host: 'stun.example.net',
  address: { address: '192.0.2.10', port: 3478 },
  ok: true,
  rttMs: 23.4,
  mappedAddress: { address: '203.0.113.7', port: 40000 },
  relayedAddress: null,
  lifetimeS: null,
  rfc5780: true,
  rank: 1,
  error: null,
};

const TURN_OK: NatServerResult = {
  uri: 'turn:turn.example.net:3478?transport=udp',
  kind: 'turn',
  transport: 'udp',
  source: 'srv',
  host: 'turn.example.net',
  address: { address: '192.0.2.20', port: 3478 },
  ok: true,
  rttMs: 41.6,
  mappedAddress: { address: '203.0.113.7', port: 40002 },
  relayedAddress: { address: '192.0.2.20', port: 50123 },
  lifetimeS: 600,
  rfc5780: null,
  rank: 1,
  error: null,
};

const TURN_TCP_FAILED: NatServerResult = {
  uri: 'turn:turn.example.net:3478?transport=tcp',
  kind: 'turn',
  transport: 'tcp',
  source: 'srv',
  host: 'turn.example.net',
  address: { address: '192.0.2.20', port: 3478 },
  ok: false,
  rttMs: null,
  mappedAddress: null,
  relayedAddress: null,
  lifetimeS: null,
  rfc5780: null,
  rank: null,
  error: { code: 'timeout', message: 'no answer after 3 tries' },
};

/** A report from behind a home router (port-restricted cone), as the phone would write it. */
export function fakeNatReport(overrides: Partial<NatReport> = {}): NatReport {
  const servers = [STUN_OK, TURN_OK, TURN_TCP_FAILED];
  const policy = {
    transportPolicy: 'all' as const,
    stunServer: STUN_OK.uri,
    turnServer: { uri: TURN_OK.uri, transport: 'udp' as const },
    turnRequired: false,
  };
  const explanation = explain({
    natType: 'port-restricted-cone',
    mapping: known('endpoint-independent'),
    filtering: known('address-and-port-dependent'),
    publicAddress: { address: '203.0.113.7', port: 40000, family: 4 },
    portPreserved: false,
    hairpinning: true,
    lifetime: { measured: true, lowerBoundS: 30, upperBoundS: 60, capped: false, probes: [] },
    lifetimeCapS: 120,
    verdict: 'direct-possible',
    table: {
      open: 'yes',
      'full-cone': 'yes',
      'restricted-cone': 'yes',
      'port-restricted-cone': 'yes',
      symmetric: 'no',
    },
    policy,
    servers,
    discoveryServer: STUN_OK.uri,
    notes: [],
    sipAlg: 'not-detected',
    nothingTested: false,
  });
  return {
    startedAt: FAKE_NAT_STARTED_AT,
    durationMs: 4321,
    accountId: null,
    domain: 'example.net',
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    natType: 'port-restricted-cone',
    publicAddress: { address: '203.0.113.7', port: 40000 },
    portPreserved: false,
    hairpinning: true,
    bindingLifetimeS: 30,
    bindingLifetimeCapped: false,
    bindingLifetimeUpperS: 60,
    localAddresses: ['192.168.1.20'],
    discoveryServer: STUN_OK.uri,
    servers,
    sipAlg: 'not-detected',
    policy,
    verdict: 'direct-possible',
    directPath: {
      open: 'yes',
      'full-cone': 'yes',
      'restricted-cone': 'yes',
      'port-restricted-cone': 'yes',
      symmetric: 'no',
    },
    explanation,
    tests: [],
    ...overrides,
  };
}

export const FAKE_NAT_PROGRESS: readonly NatCheckProgress[] = [
  { step: 'servers', detail: 'found 1 STUN and 2 TURN servers' },
  { step: 'stun', detail: 'stun:stun.example.net:3478 answered in 23 ms' },
  { step: 'mapping', detail: 'same public port for two destinations' },
  { step: 'verdict', detail: 'direct-possible' },
];

export class FakeNat {
  /** What the next `diagnostics.run` produces. */
  report: NatReport = fakeNatReport();
  progress: readonly NatCheckProgress[] = FAKE_NAT_PROGRESS;
  lastReport: NatReport | null = null;
  readonly requests: NatCheckRequest[] = [];
  readonly handlers: FakeHandlers;
  private readonly emit: FakeEmit;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'diagnostics.run': (request) => {
        this.requests.push(request);
        for (const step of this.progress) this.emit('diagnostics.progress', step);
        this.lastReport = structuredClone(this.report);
        this.emit('diagnostics.report', structuredClone(this.lastReport));
        return this.lastReport;
      },
      'diagnostics.lastReport': () => this.lastReport,
    };
  }
}

/**
 * The report in plain words. Each statement has an i18n key and its parameters (the renderer translates
 * them) and the English text (the CLI prints it). Keys live under `nat.`; parameters are the only
 * variable parts, so a translation never has to re-derive anything.
 */
import type {
  IcePolicy,
  NatServerResult,
  NatStatement,
  NatType,
  NatVerdict,
  SipAlgStatus,
} from '../../src-shared/model/nat.ts';
import type { SocketAddress } from '../platform/index.ts';
import type { DiscoveryNote } from './behavior-discovery.ts';
import type { LifetimeResult } from './binding-lifetime.ts';
import { behaviorOf } from './nat-type.ts';
import type { BehaviorKnowledge } from './nat-type.ts';
import type { DirectPathTable } from './verdict.ts';

type Params = Record<string, string | number>;

/** One statement, within the schema's bounds (server-provided words can be long). */
function statement(key: string, params: Params, text: string): NatStatement {
  const bounded: Params = {};
  for (const [name, value] of Object.entries(params))
    bounded[name] = typeof value === 'string' ? value.slice(0, 300) : value;
  return { key, params: bounded, text: text.slice(0, 1000) };
}

export interface ExplanationInput {
  natType: NatType;
  mapping: BehaviorKnowledge;
  filtering: BehaviorKnowledge;
  publicAddress: SocketAddress | null;
  portPreserved: boolean | null;
  hairpinning: boolean | null;
  lifetime: LifetimeResult | null;
  lifetimeCapS: number | null;
  verdict: NatVerdict;
  table: DirectPathTable;
  policy: IcePolicy;
  servers: readonly NatServerResult[];
  discoveryServer: string | null;
  notes: readonly DiscoveryNote[];
  sipAlg: SipAlgStatus;
  /** No server could be tested at all. */
  nothingTested: boolean;
}

const NAT_TYPE_TEXT: Record<NatType, string> = {
  open: 'Your computer has a public address: there is no NAT between you and the internet.',
  'full-cone':
    'You are behind a full-cone NAT: once you have sent anything, anyone can reach you at your public address.',
  'restricted-cone':
    'You are behind a restricted-cone NAT: it lets in packets from any address you have sent to.',
  'port-restricted-cone':
    'You are behind a port-restricted cone NAT: it lets in packets only from the exact address and port you have sent to.',
  symmetric:
    'You are behind a symmetric NAT: it gives you a different public port for every address you talk to.',
  'udp-blocked': 'UDP is blocked on this network: no STUN or TURN server answered over UDP.',
  unknown: 'The type of your NAT could not be determined.',
};

const MAPPING_TEXT: Record<string, string> = {
  'endpoint-independent':
    'Your NAT keeps the same public port whoever you talk to (endpoint-independent mapping).',
  'address-dependent':
    'Your NAT gives you a new public port for every address you talk to (address-dependent mapping).',
  'address-and-port-dependent':
    'Your NAT gives you a new public port for every address and port you talk to (address-and-port-dependent mapping).',
};

const FILTERING_TEXT: Record<string, string> = {
  'endpoint-independent':
    'It lets in packets from anyone once you have sent something (endpoint-independent filtering).',
  'address-dependent':
    'It lets in packets only from addresses you have sent to (address-dependent filtering).',
  'address-and-port-dependent':
    'It lets in packets only from the exact addresses and ports you have sent to (address-and-port-dependent filtering).',
};

function where(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function explain(input: ExplanationInput): NatStatement[] {
  const out: NatStatement[] = [];
  if (input.nothingTested) {
    out.push(
      statement(
        'nat.nothingTested',
        {},
        'No STUN or TURN server could be tested: none was configured and the SIP domain publishes none. Add a STUN server (e.g. --stun host:3478) or a domain.',
      ),
    );
    return out;
  }

  out.push(statement(`nat.type.${input.natType}`, {}, NAT_TYPE_TEXT[input.natType]));
  const mapping = behaviorOf(input.mapping);
  const filtering = behaviorOf(input.filtering);
  if (input.natType !== 'open' && input.natType !== 'udp-blocked') {
    if (mapping !== 'unknown') out.push(statement(`nat.mapping.${mapping}`, {}, MAPPING_TEXT[mapping] ?? ''));
    else if (input.mapping.length === 2) {
      out.push(
        statement(
          'nat.mapping.notIndependent',
          {},
          'Your NAT gave two servers two different public ports: it changes the port per destination (a symmetric NAT).',
        ),
      );
    }
  }
  if (filtering !== 'unknown' && input.natType !== 'udp-blocked') {
    const what = FILTERING_TEXT[filtering] ?? '';
    if (input.natType !== 'open') out.push(statement(`nat.filtering.${filtering}`, {}, `Your NAT ${what}`));
    else if (filtering === 'endpoint-independent')
      out.push(statement('nat.firewall.none', {}, 'Nothing filters the packets coming in.'));
    else out.push(statement(`nat.firewall.${filtering}`, {}, `A firewall filters what comes in: it ${what}`));
  }
  for (const note of input.notes) {
    switch (note) {
      case 'no-other-address':
        out.push(
          statement(
            'nat.note.noOtherAddress',
            { server: input.discoveryServer ?? '' },
            `The STUN server ${input.discoveryServer ?? ''} does not support NAT behaviour discovery (RFC 5780, no OTHER-ADDRESS): how your NAT filters incoming packets could not be measured.`,
          ),
        );
        break;
      case 'change-request-ignored':
        out.push(
          statement(
            'nat.note.changeRequestIgnored',
            { server: input.discoveryServer ?? '' },
            `The STUN server ${input.discoveryServer ?? ''} ignores requests to answer from its other address, so filtering could not be measured.`,
          ),
        );
        break;
      case 'change-request-refused':
        out.push(
          statement(
            'nat.note.changeRequestRefused',
            { server: input.discoveryServer ?? '' },
            `The STUN server ${input.discoveryServer ?? ''} refuses requests to answer from its other address, so filtering could not be measured.`,
          ),
        );
        break;
      case 'alternate-unreachable':
        out.push(
          statement(
            'nat.note.alternateUnreachable',
            {},
            "The STUN server's second address did not answer: the mapping test is incomplete.",
          ),
        );
        break;
      case 'compared-two-servers':
        break;
    }
  }

  if (input.publicAddress) {
    out.push(
      statement(
        'nat.publicAddress',
        { address: input.publicAddress.address, port: input.publicAddress.port },
        `Your public address is ${where(input.publicAddress)}.`,
      ),
    );
  }
  if (input.portPreserved !== null && input.natType !== 'open') {
    out.push(
      input.portPreserved
        ? statement('nat.portPreserved.yes', {}, 'Your NAT keeps your local port number as the public one.')
        : statement('nat.portPreserved.no', {}, 'Your NAT changes your port number.'),
    );
  }
  if (input.hairpinning !== null) {
    out.push(
      input.hairpinning
        ? statement(
            'nat.hairpinning.yes',
            {},
            'Two devices behind this NAT can reach each other through its public address (hairpinning).',
          )
        : statement(
            'nat.hairpinning.no',
            {},
            'Two devices behind this NAT cannot reach each other through its public address (no hairpinning); calls between them need their local addresses or the relay.',
          ),
    );
  }
  out.push(
    ...lifetimeStatements(input.lifetime, input.lifetimeCapS, input.natType === 'open' ? 'firewall' : 'NAT'),
  );
  out.push(verdictStatement(input));
  out.push(...serverStatements(input.servers, input.policy));
  if (input.sipAlg === 'detected') {
    out.push(
      statement(
        'nat.sipAlg.detected',
        {},
        'A router on the way rewrites SIP messages (a "SIP ALG"). It often breaks registration and audio: turn off "SIP ALG" or "SIP helper" in your router.',
      ),
    );
  } else if (input.sipAlg === 'not-detected') {
    out.push(statement('nat.sipAlg.notDetected', {}, 'No router on the way rewrote our SIP messages.'));
  }
  return out;
}

function lifetimeStatements(
  lifetime: LifetimeResult | null,
  capS: number | null,
  device: 'NAT' | 'firewall',
): NatStatement[] {
  if (lifetime === null) return [];
  if (!lifetime.measured) {
    switch (lifetime.reason) {
      case 'response-port-unsupported':
        return [
          statement(
            'nat.lifetime.unsupported',
            {},
            `How long your ${device} keeps an idle connection open could not be measured: the STUN server does not support RESPONSE-PORT (RFC 5780).`,
          ),
        ];
      case 'address-changes':
        return [
          statement(
            'nat.lifetime.addressChanges',
            {},
            'Your NAT uses several public addresses, so the binding lifetime could not be measured.',
          ),
        ];
      case 'unreachable':
      case 'cancelled':
        return [];
    }
  }
  const lower = lifetime.lowerBoundS;
  const upper = lifetime.upperBoundS;
  if (lifetime.capped) {
    return [
      statement(
        'nat.lifetime.atLeast',
        { seconds: lower ?? capS ?? 0, device },
        `Your ${device} keeps an idle UDP binding open for at least ${lower ?? capS ?? 0} s (the test stopped there).`,
      ),
    ];
  }
  if (lower === null) {
    return [
      statement(
        'nat.lifetime.veryShort',
        { upper: upper ?? 0, device },
        `Your ${device} forgets an idle UDP binding in less than ${upper ?? 0} s: keepalives must be sent more often than that, or incoming calls and audio will be lost.`,
      ),
    ];
  }
  const keepalive = Math.max(1, Math.floor(lower * 0.8));
  return [
    statement(
      'nat.lifetime.between',
      { lower, upper: upper ?? lower, keepalive, device },
      `Your ${device} forgets an idle UDP binding after ${lower} to ${upper ?? lower} s: keepalives must be sent at least every ${keepalive} s.`,
    ),
  ];
}

function verdictStatement(input: ExplanationInput): NatStatement {
  const turn = input.policy.turnServer;
  switch (input.verdict) {
    case 'direct-likely':
      return statement(
        'nat.verdict.directLikely',
        {},
        'Direct calls should work with any peer, even one behind a symmetric NAT.',
      );
    case 'direct-possible':
      return turn
        ? statement(
            'nat.verdict.directPossible',
            { turn: turn.uri },
            `Direct calls work with most peers; calls to peers behind symmetric NATs will go through the TURN relay (${turn.uri}).`,
          )
        : statement(
            'nat.verdict.directPossibleNoTurn',
            {},
            'Direct calls work with most peers; calls to peers behind symmetric NATs need a TURN relay, and none works: they may have no audio.',
          );
    case 'relay-required':
      if (input.policy.transportPolicy === 'relay') {
        return statement(
          'nat.verdict.relayOnly',
          { turn: turn?.uri ?? '', transport: turn?.transport ?? '' },
          `UDP is blocked, but the TURN server ${turn?.uri ?? ''} works over ${(turn?.transport ?? '').toUpperCase()}: all calls will go through it.`,
        );
      }
      return turn
        ? statement(
            'nat.verdict.relayRequired',
            { turn: turn.uri },
            `Direct calls to peers behind ordinary home routers will fail from this network; they will go through the TURN relay (${turn.uri}). Calls through a PBX with a public address still work directly.`,
          )
        : statement(
            'nat.verdict.relayRequiredNoTurn',
            {},
            'Direct calls to peers behind ordinary home routers will fail from this network and no TURN relay works: those calls may have no audio. Calls through a PBX with a public address still work.',
          );
    case 'blocked':
      return statement(
        'nat.verdict.blocked',
        {},
        'No UDP and no working TURN server: calls will have no audio. Allow UDP on this network, or configure a TURN server over TCP or TLS.',
      );
    case 'unknown':
      return statement(
        'nat.verdict.unknown',
        {},
        'Whether direct calls work could not be predicted from what could be measured.',
      );
  }
}

function serverStatements(servers: readonly NatServerResult[], policy: IcePolicy): NatStatement[] {
  const out: NatStatement[] = [];
  for (const s of servers) {
    if (s.ok && s.kind === 'turn' && s.relayedAddress) {
      out.push(
        statement(
          'nat.server.turnWorks',
          {
            uri: s.uri,
            transport: s.transport,
            relay: `${s.relayedAddress.address}:${s.relayedAddress.port}`,
            rtt: Math.round(s.rttMs ?? 0),
          },
          `TURN server ${s.uri} works over ${s.transport.toUpperCase()} (relay ${s.relayedAddress.address}:${s.relayedAddress.port}, ${Math.round(s.rttMs ?? 0)} ms).`,
        ),
      );
    } else if (!s.ok && s.error) {
      out.push(
        statement(
          `nat.server.failed`,
          { uri: s.uri, code: s.error.code, message: s.error.message },
          `${s.uri}: ${s.error.message}`,
        ),
      );
    }
  }
  if (policy.stunServer === null && policy.turnServer === null && servers.length > 0) {
    out.push(statement('nat.server.noneWorks', {}, 'None of the STUN/TURN servers works from this network.'));
  }
  return out;
}

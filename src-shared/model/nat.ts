/**
 * What the NAT check finds out, as both processes (and the CLI's --json output) see it.
 *
 * Behaviours use RFC 4787 / RFC 5780 terms (mapping, filtering); `natType` is the older RFC 3489 name
 * derived from them, because that is what people search for and what other tools print. The
 * `explanation` is a list of plain-words statements: the renderer translates `key` with `params`, the CLI
 * prints `text` (English).
 */
import { z } from 'zod';
import { StunServerUri, TurnServerUri } from './account.ts';

export const NatBehavior = z.enum([
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
  'unknown',
]);
export type NatBehavior = z.infer<typeof NatBehavior>;

export const NatType = z.enum([
  'open',
  'full-cone',
  'restricted-cone',
  'port-restricted-cone',
  'symmetric',
  'udp-blocked',
  'unknown',
]);
export type NatType = z.infer<typeof NatType>;

/**
 *   direct-likely    direct media works even with peers behind symmetric NATs
 *   direct-possible  direct media works with peers behind cone NATs; symmetric peers need the relay
 *   relay-required   direct media fails with peers behind ordinary (port-restricted) NATs: use TURN
 *   blocked          no UDP and no working TURN server: calls will have no audio
 *   unknown          the behaviour could not be measured (see the explanation)
 */
export const NatVerdict = z.enum([
  'direct-likely',
  'direct-possible',
  'relay-required',
  'blocked',
  'unknown',
]);
export type NatVerdict = z.infer<typeof NatVerdict>;

export const SipAlgStatus = z.enum(['detected', 'not-detected', 'unknown']);
export type SipAlgStatus = z.infer<typeof SipAlgStatus>;

export const TransportAddress = z.strictObject({
  address: z.string().min(1).max(64),
  port: z.int().min(0).max(65535),
});
export type TransportAddress = z.infer<typeof TransportAddress>;

export const NatServerKind = z.enum(['stun', 'turn']);
export const NatServerTransport = z.enum(['udp', 'tcp', 'tls']);
export const NatServerSource = z.enum(['srv', 'configured', 'default']);
export type NatServerKind = z.infer<typeof NatServerKind>;
export type NatServerTransport = z.infer<typeof NatServerTransport>;
export type NatServerSource = z.infer<typeof NatServerSource>;

/**
 * Why a server test failed. `code` is the STUN/TURN error code as text ("401", "438", "486", "508") when
 * the server answered with one, otherwise one of: timeout, connect, tls, dns, transport, invalid-response,
 * credentials-needed, bad-uri, bad-password.
 */
export const NatServerError = z.strictObject({
  code: z.string().min(1).max(40),
  message: z.string().max(500),
});
export type NatServerError = z.infer<typeof NatServerError>;

export const NatServerResult = z.strictObject({
  uri: z.string().max(300),
  kind: NatServerKind,
  transport: NatServerTransport,
  source: NatServerSource,
  /** The host name or literal of the URI (or SRV target). */
  host: z.string().max(255),
  /** The address tested; null when the name did not resolve. */
  address: TransportAddress.nullable(),
  ok: z.boolean(),
  /** STUN: median of three Binding round trips; TURN: the authenticated Allocate's round trip. */
  rttMs: z.number().min(0).nullable(),
  /** Our address as this server saw it. */
  mappedAddress: TransportAddress.nullable(),
  /** TURN: the relayed transport address of the test allocation (released afterwards). */
  relayedAddress: TransportAddress.nullable(),
  /** TURN: the allocation lifetime the server granted, in seconds. */
  lifetimeS: z.number().int().min(0).nullable(),
  /** STUN: whether the server supports RFC 5780 NAT discovery (sent OTHER-ADDRESS). */
  rfc5780: z.boolean().nullable(),
  /** 1 = best of its kind; null when it failed. */
  rank: z.number().int().min(1).nullable(),
  error: NatServerError.nullable(),
});
export type NatServerResult = z.infer<typeof NatServerResult>;

/** The ICE configuration the check recommends for calls on this network. */
export const IcePolicy = z.strictObject({
  /** 'relay': only relayed candidates are worth trying (UDP is blocked, TURN over TCP/TLS works). */
  transportPolicy: z.enum(['all', 'relay']),
  /** The STUN server to gather server-reflexive candidates from. */
  stunServer: z.string().max(300).nullable(),
  /** The TURN server and transport to gather relayed candidates with. */
  turnServer: z.strictObject({ uri: z.string().max(300), transport: NatServerTransport }).nullable(),
  /** A relay candidate is needed for calls to most peers (verdict relay-required, or relay-only). */
  turnRequired: z.boolean(),
});
export type IcePolicy = z.infer<typeof IcePolicy>;

export const DirectPathPrediction = z.enum(['yes', 'no', 'unknown']);
export type DirectPathPrediction = z.infer<typeof DirectPathPrediction>;

/** One plain-words statement: translated from `key` + `params` by the renderer; `text` is the English. */
export const NatStatement = z.strictObject({
  key: z.string().min(1).max(100),
  params: z.record(z.string().max(40), z.union([z.string().max(300), z.number()])),
  text: z.string().max(1000),
});
export type NatStatement = z.infer<typeof NatStatement>;

export const NatTestName = z.enum([
  'binding',
  'mapping-1',
  'mapping-2',
  'mapping-3',
  'filtering-2',
  'filtering-3',
  'hairpinning',
  'lifetime-response-port',
  'lifetime-probe',
  'turn-allocate',
  'turn-release',
]);
export type NatTestName = z.infer<typeof NatTestName>;

/** One raw measurement: a request, where it went, what came back, and when. */
export const NatTestRecord = z.strictObject({
  test: NatTestName,
  /** ms after the check started, when the request was sent. */
  atMs: z.number().min(0),
  transport: NatServerTransport,
  /** Our socket (wildcard address as bound). */
  local: TransportAddress.nullable(),
  requestTo: TransportAddress,
  /** Where the response came from (null: no response). */
  responseFrom: TransportAddress.nullable(),
  /** XOR-MAPPED-ADDRESS (or the relayed address for TURN). */
  mappedAddress: TransportAddress.nullable(),
  outcome: z.enum([
    'success',
    'error-response',
    'invalid-response',
    'timeout',
    'cancelled',
    'transport-failed',
  ]),
  sends: z.number().int().min(0),
  elapsedMs: z.number().min(0),
  detail: z.string().max(300).nullable(),
});
export type NatTestRecord = z.infer<typeof NatTestRecord>;

export const NatReport = z.strictObject({
  /** Wall-clock start, ms since the epoch. */
  startedAt: z.number().int().min(0),
  durationMs: z.number().min(0),
  accountId: z.string().max(100).nullable(),
  domain: z.string().max(255).nullable(),
  mapping: NatBehavior,
  filtering: NatBehavior,
  natType: NatType,
  publicAddress: TransportAddress.nullable(),
  /** The NAT kept our local port as the public one. */
  portPreserved: z.boolean().nullable(),
  hairpinning: z.boolean().nullable(),
  /** A lower bound, in seconds, for how long the NAT keeps an idle UDP binding. */
  bindingLifetimeS: z.number().min(0).nullable(),
  /** The lifetime test stopped at its cap: the real lifetime is at least bindingLifetimeS. */
  bindingLifetimeCapped: z.boolean(),
  /** The first probed delay at which the binding was gone (an upper bound), when one was. */
  bindingLifetimeUpperS: z.number().min(0).nullable(),
  /** The local interface addresses seen during the check. */
  localAddresses: z.array(z.string().max(64)).max(64),
  /** The STUN server the behaviour tests used. */
  discoveryServer: z.string().max(300).nullable(),
  servers: z.array(NatServerResult).max(64),
  sipAlg: SipAlgStatus,
  policy: IcePolicy,
  verdict: NatVerdict,
  /** Whether a direct (host/server-reflexive) path can form with a peer behind each kind of NAT. */
  directPath: z.strictObject({
    open: DirectPathPrediction,
    'full-cone': DirectPathPrediction,
    'restricted-cone': DirectPathPrediction,
    'port-restricted-cone': DirectPathPrediction,
    symmetric: DirectPathPrediction,
  }),
  explanation: z.array(NatStatement).max(40),
  tests: z.array(NatTestRecord).max(200),
});
export type NatReport = z.infer<typeof NatReport>;

export const TurnServerCredentials = z.strictObject({
  uri: TurnServerUri,
  username: z.string().max(256),
  password: z.string().max(256),
});

/** What `diagnostics.run` takes. */
export const NatCheckRequest = z.strictObject({
  /** The SIP domain to look up STUN/TURN servers for (DNS SRV). */
  domain: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a domain name')
    .optional(),
  stun: z.array(StunServerUri).max(8).optional(),
  turn: z.array(TurnServerCredentials).max(8).optional(),
  /** Credentials for TURN servers found by SRV (without them they are only checked for a challenge). */
  turnCredentials: z
    .strictObject({ username: z.string().max(256), password: z.string().max(256) })
    .optional(),
  accountId: z.string().min(1).max(100).optional(),
  /** Measure the binding lifetime (takes up to `lifetimeMaxS`; default true). */
  lifetime: z.boolean().optional(),
  /** Cap of the lifetime test in seconds (default 60). */
  lifetimeMaxS: z.int().min(5).max(600).optional(),
});
export type NatCheckRequest = z.infer<typeof NatCheckRequest>;

export const NatCheckStep = z.enum([
  'servers',
  'stun',
  'turn',
  'mapping',
  'filtering',
  'hairpinning',
  'lifetime',
  'sip-alg',
  'verdict',
]);
export type NatCheckStep = z.infer<typeof NatCheckStep>;

export const NatCheckProgress = z.strictObject({
  step: NatCheckStep,
  detail: z.string().max(500),
});
export type NatCheckProgress = z.infer<typeof NatCheckProgress>;

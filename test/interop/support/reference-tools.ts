/**
 * Reference NAT/STUN/TURN clients whose verdicts our own NAT discovery is compared with, parsed into
 * structured results. Each runs on the host (lab undefined) or inside a lab namespace.
 *
 * - `stun` (stun-client 0.97, RFC 3489 classic tests; needs a server with two addresses and two
 *   ports, i.e. coturn with `altAddress`). Its summary line reads e.g.
 *   `Primary: Independent Mapping, Port Dependent Filter, random port, will hairpin` and it ends with
 *   `Return value is 0x000006`.
 * - `turnutils_natdiscovery -m -f` (coturn, RFC 5780): prints `NAT with Endpoint Independent
 *   Mapping!` / `… Address Dependent …` / `… Address and Port Dependent …` (or `No NAT! …`) and the
 *   same for Filtering.
 * - `turnutils_stunclient` (one Binding; prints `UDP reflexive addr: ip:port`).
 * - `turnutils_uclient` (TURN Allocate + data relayed between two allocations; prints `Received relay
 *   addr: ip:port`, message counts and `Total lost packets N (x%)`).
 */
import type { NatLab } from './netns.ts';
import { run, type RunResult } from './processes.ts';

export interface ServerAddress {
  address: string;
  port: number;
}

type Runner = Pick<NatLab, 'exec'> | undefined;

function execIn(
  lab: Runner,
  ns: string | undefined,
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<RunResult> {
  if (lab && ns !== undefined) return lab.exec(ns, command, args, { timeoutMs });
  if (ns !== undefined) return run(command, args, { netns: ns, timeoutMs });
  return run(command, args, { timeoutMs });
}

// ───────────────────────────── stun (stun-client) ─────────────────────────────

/** The stun client's verdict, one value per summary text it can print. */
export type StunClientVerdict =
  | 'open' // "Open"
  | 'independent-filter' // "Independent Mapping, Independent Filter"  (full cone)
  | 'address-dependent-filter' // "Independent Mapping, Address Dependent Filter" (restricted cone)
  | 'port-dependent-filter' // "Independent Mapping, Port Dependent Filter" (port-restricted cone)
  | 'dependent-mapping' // "Dependent Mapping" (symmetric)
  | 'firewall' // "Firewall" (symmetric UDP firewall)
  | 'blocked' // "Blocked or could not reach STUN server"
  | 'unknown' // "Some unknown type error…" / anything else
  | 'error'; // "Some stun error…" or no summary line

/** RFC 3489 NAT type names for the verdicts. */
export const CLASSIC_NAT_TYPE = {
  open: 'open-internet',
  'independent-filter': 'full-cone',
  'address-dependent-filter': 'restricted-cone',
  'port-dependent-filter': 'port-restricted-cone',
  'dependent-mapping': 'symmetric',
  firewall: 'symmetric-udp-firewall',
  blocked: 'udp-blocked',
  unknown: 'unknown',
  error: 'unknown',
} as const satisfies Record<StunClientVerdict, string>;

export interface StunClientResult {
  verdict: StunClientVerdict;
  natType: (typeof CLASSIC_NAT_TYPE)[StunClientVerdict];
  /** ", preserves ports" / ", random port" (undefined when not printed). */
  preservesPort: boolean | undefined;
  /** ", will hairpin" / ", no hairpin". */
  hairpin: boolean | undefined;
  /** `Return value is 0x…`. */
  returnValue: number | undefined;
  /** Every `MappedAddress = ip:port` of the verbose output, in order. */
  mappedAddresses: string[];
  /** The `Primary: …` line as printed (trimmed). */
  summary: string;
  output: string;
  exitCode: number;
  durationMs: number;
}

/** Run `stun <server> -v` and parse its verdict. */
export async function referenceStunClient(
  lab: Runner,
  ns: string | undefined,
  server: ServerAddress,
): Promise<StunClientResult> {
  const started = Date.now();
  const result = await execIn(lab, ns, 'stun', [`${server.address}:${server.port}`, '-v'], 30_000);
  return {
    ...parseStunClientOutput(`${result.stdout}${result.stderr}`),
    exitCode: result.code,
    durationMs: Date.now() - started,
  };
}

export function parseStunClientOutput(output: string): Omit<StunClientResult, 'exitCode' | 'durationMs'> {
  const summary = /^Primary: (.*)$/m.exec(output)?.[1]?.trim() ?? '';
  const verdicts: Array<[string, StunClientVerdict]> = [
    ['Independent Mapping, Independent Filter', 'independent-filter'],
    ['Independent Mapping, Address Dependent Filter', 'address-dependent-filter'],
    ['Independent Mapping, Port Dependent Filter', 'port-dependent-filter'],
    ['Dependent Mapping', 'dependent-mapping'],
    ['Open', 'open'],
    ['Firewall', 'firewall'],
    ['Blocked or could not reach STUN server', 'blocked'],
    ['Some stun error', 'error'],
  ];
  const verdict: StunClientVerdict =
    summary === '' ? 'error' : (verdicts.find(([text]) => summary.startsWith(text))?.[1] ?? 'unknown');
  const returnText = /Return value is 0x([0-9a-f]+)/i.exec(output)?.[1];
  return {
    verdict,
    natType: CLASSIC_NAT_TYPE[verdict],
    preservesPort: summary.includes('preserves ports')
      ? true
      : summary.includes('random port')
        ? false
        : undefined,
    hairpin: summary.includes('will hairpin') ? true : summary.includes('no hairpin') ? false : undefined,
    returnValue: returnText === undefined ? undefined : parseInt(returnText, 16),
    mappedAddresses: [...output.matchAll(/^MappedAddress = (\S+)$/gm)].map((m) => m[1] ?? ''),
    summary,
    output,
  };
}

// ───────────────────────── turnutils_natdiscovery (RFC 5780) ─────────────────────────

export type MappingBehavior =
  'no-nat' | 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown';
export type FilteringBehavior =
  'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown';

export interface NatDiscoveryResult {
  mapping: MappingBehavior;
  filtering: FilteringBehavior;
  /** The verdict lines as printed, e.g. "NAT with Endpoint Independent Mapping!". */
  mappingLine: string;
  filteringLine: string;
  /** Every `UDP reflexive addr: ip:port`, in order. */
  reflexiveAddresses: string[];
  output: string;
  exitCode: number;
  durationMs: number;
}

/** Run `turnutils_natdiscovery -m -f -p <port> <address>` and parse mapping and filtering behaviour. */
export async function referenceNatDiscovery(
  lab: Runner,
  ns: string | undefined,
  server: ServerAddress,
): Promise<NatDiscoveryResult> {
  const started = Date.now();
  const result = await execIn(
    lab,
    ns,
    'turnutils_natdiscovery',
    ['-m', '-f', '-p', String(server.port), server.address],
    60_000,
  );
  return {
    ...parseNatDiscoveryOutput(`${result.stdout}${result.stderr}`),
    exitCode: result.code,
    durationMs: Date.now() - started,
  };
}

export function parseNatDiscoveryOutput(output: string): Omit<NatDiscoveryResult, 'exitCode' | 'durationMs'> {
  const mappingLine =
    /^(No NAT! \(Endpoint Independent Mapping\)|NAT with .* Mapping!)$/m.exec(output)?.[1] ?? '';
  const filteringLine = /^(NAT with .* Filtering!)$/m.exec(output)?.[1] ?? '';
  const behaviour = (
    line: string,
  ): 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'unknown' =>
    line.includes('Endpoint Independent')
      ? 'endpoint-independent'
      : line.includes('Address and Port Dependent')
        ? 'address-and-port-dependent'
        : line.includes('Address Dependent')
          ? 'address-dependent'
          : 'unknown';
  return {
    mapping: mappingLine.startsWith('No NAT!') ? 'no-nat' : behaviour(mappingLine),
    filtering: behaviour(filteringLine),
    mappingLine,
    filteringLine,
    reflexiveAddresses: [...output.matchAll(/UDP reflexive addr: (\S+)/g)].map((m) => m[1] ?? ''),
    output,
  };
}

// ───────────────────────────── turnutils_stunclient ─────────────────────────────

export interface StunBindingResult {
  /** The first `UDP reflexive addr`, or undefined when no response came. */
  reflexiveAddress: string | undefined;
  /** `Other addr` (RFC 5780 OTHER-ADDRESS) when the server has one. */
  otherAddress: string | undefined;
  output: string;
  exitCode: number;
}

/** One STUN Binding with `turnutils_stunclient -p <port> <address>`. */
export async function referenceStunBinding(
  lab: Runner,
  ns: string | undefined,
  server: ServerAddress,
): Promise<StunBindingResult> {
  const result = await execIn(
    lab,
    ns,
    'turnutils_stunclient',
    ['-p', String(server.port), server.address],
    20_000,
  );
  const output = `${result.stdout}${result.stderr}`;
  return {
    reflexiveAddress: /UDP reflexive addr: (\S+)/.exec(output)?.[1],
    otherAddress: /Other addr: : (\S+)/.exec(output)?.[1],
    output,
    exitCode: result.code,
  };
}

// ───────────────────────────── turnutils_uclient ─────────────────────────────

export interface TurnAllocationResult {
  /** Allocations succeeded and data went through the relays. */
  ok: boolean;
  /** Every `Received relay addr: ip:port`. */
  relayAddresses: string[];
  sentMessages: number;
  receivedMessages: number;
  lostPercent: number | undefined;
  output: string;
  exitCode: number;
  durationMs: number;
}

export interface TurnAllocationOptions {
  user: string;
  password: string;
  /** Client↔server transport (default udp). */
  transport?: 'udp' | 'tcp';
  /** TLS/DTLS to the server. */
  secure?: boolean;
  /** Messages per client (default 5). */
  messages?: number;
}

/**
 * `turnutils_uclient -y` (client-to-client): two allocations on the server, data sent from each relay
 * to the other. Takes ~6 s (the tool's own pacing).
 */
export async function referenceTurnAllocation(
  lab: Runner,
  ns: string | undefined,
  server: ServerAddress,
  options: TurnAllocationOptions,
): Promise<TurnAllocationResult> {
  const started = Date.now();
  const args = [
    '-u',
    options.user,
    '-w',
    options.password,
    '-p',
    String(server.port),
    '-y',
    '-c',
    '-v',
    '-n',
    String(options.messages ?? 5),
    '-m',
    '1',
    ...(options.transport === 'tcp' ? ['-t'] : []),
    ...(options.secure ? ['-S'] : []),
    server.address,
  ];
  const result = await execIn(lab, ns, 'turnutils_uclient', args, 60_000);
  const output = `${result.stdout}${result.stderr}`;
  const totals = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(output);
  const lost = /Total lost packets \d+ \(([\d.]+)%\)/.exec(output);
  const relayAddresses = [...output.matchAll(/Received relay addr: (\S+)/g)].map((m) => m[1] ?? '');
  const sentMessages = Number(totals?.[1] ?? 0);
  const receivedMessages = Number(totals?.[2] ?? 0);
  return {
    ok: relayAddresses.length > 0 && receivedMessages > 0 && !/Cannot complete Allocation/.test(output),
    relayAddresses,
    sentMessages,
    receivedMessages,
    lostPercent: lost ? Number(lost[1]) : undefined,
    output,
    exitCode: result.code,
    durationMs: Date.now() - started,
  };
}

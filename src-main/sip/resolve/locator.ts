/**
 * RFC 3263 §4 server location: from a SIP URI to an ordered list of (address, port, transport), handed
 * out one at a time so the transaction layer can fail over (RFC 3263 §4.3).
 *
 *                         TARGET = maddr ?? host
 *                                  │
 *           numeric IP? ──yes──▶ literal (transport: explicit, else UDP for sip: / TLS for sips:)
 *                │no
 *           explicit port? ──yes──▶ A/AAAA of TARGET at that port
 *                │no
 *           explicit transport? ──yes──▶ SRV _sip(s)._<t>.TARGET ──none──▶ A/AAAA, default port
 *                │no
 *           NAPTR TARGET ──usable records──▶ SRV of each replacement ──none at all──▶ A/AAAA
 *                │none usable
 *           SRV per supported transport ──none at all──▶ A/AAAA, UDP (sip:) / TLS (sips:), default port
 *
 * Lookups are lazy: the next SRV target's addresses are only looked up when the caller asks for a target
 * beyond the ones already found. Answers are cached for the life of one DnsLookupCache (pass one cache
 * to every iterator of a request; no TTLs).
 */
import { errorCode } from '../../platform/index.ts';
import type { IpFamily, NaptrRecord, Resolver, SrvRecord } from '../../platform/index.ts';
import { parseIpLiteral } from './ip.ts';
import { selectNaptrServices } from './naptr.ts';
import { isServiceUnavailableMarker, orderSrvRecords } from './srv.ts';
import type { RandomSource } from './srv.ts';
import { DEFAULT_RESOLVE_PREFERENCES, defaultPort, srvServiceName } from './target.ts';
import type { ResolvePreferences, ResolvedTarget, SipTarget, SipTransport, TargetSource } from './target.ts';

export type DnsRecordType = 'NAPTR' | 'SRV' | 'A' | 'AAAA';

/** A DNS answer: records, or the node:dns error code (ENOTFOUND = NXDOMAIN, ENODATA = no such records…). */
export type DnsAnswer<T> =
  { readonly ok: true; readonly records: readonly T[] } | { readonly ok: false; readonly code: string };

export type ResolveProblem =
  | { readonly kind: 'dns'; readonly type: DnsRecordType; readonly name: string; readonly code: string }
  | { readonly kind: 'transport-not-supported'; readonly transport: SipTransport }
  | { readonly kind: 'family-not-supported'; readonly address: string; readonly family: IpFamily }
  /** RFC 5630 §3.1.3: a SIPS URI with transport=udp cannot be honoured (no TLS over UDP in SIP). */
  | { readonly kind: 'sips-over-udp' };

/** Memoized DNS answers (failures included) for the life of one request. No TTLs. */
export class DnsLookupCache {
  private readonly answers = {
    NAPTR: new Map<string, Promise<DnsAnswer<NaptrRecord>>>(),
    SRV: new Map<string, Promise<DnsAnswer<SrvRecord>>>(),
    A: new Map<string, Promise<DnsAnswer<string>>>(),
    AAAA: new Map<string, Promise<DnsAnswer<string>>>(),
  };

  naptr(resolver: Resolver, name: string): Promise<DnsAnswer<NaptrRecord>> {
    return DnsLookupCache.remember(this.answers.NAPTR, name, () => resolver.resolveNaptr(name));
  }

  srv(resolver: Resolver, name: string): Promise<DnsAnswer<SrvRecord>> {
    return DnsLookupCache.remember(this.answers.SRV, name, () => resolver.resolveSrv(name));
  }

  address(resolver: Resolver, family: IpFamily, name: string): Promise<DnsAnswer<string>> {
    return family === 4
      ? DnsLookupCache.remember(this.answers.A, name, () => resolver.resolve4(name))
      : DnsLookupCache.remember(this.answers.AAAA, name, () => resolver.resolve6(name));
  }

  /** How many distinct lookups were made (for tests and diagnostics). */
  get size(): number {
    return this.answers.NAPTR.size + this.answers.SRV.size + this.answers.A.size + this.answers.AAAA.size;
  }

  private static remember<T>(
    map: Map<string, Promise<DnsAnswer<T>>>,
    name: string,
    run: () => Promise<T[]>,
  ): Promise<DnsAnswer<T>> {
    const key = name.toLowerCase();
    let answer = map.get(key);
    if (answer === undefined) {
      answer = run().then(
        (records): DnsAnswer<T> => ({ ok: true, records }),
        (error: unknown): DnsAnswer<T> => ({ ok: false, code: errorCode(error) ?? 'EUNKNOWN' }),
      );
      map.set(key, answer);
    }
    return answer;
  }
}

export interface LocateOptions {
  readonly resolver: Resolver;
  readonly preferences?: ResolvePreferences;
  /** For RFC 2782 weighted selection; default Math.random. */
  readonly random?: RandomSource;
  /** Share one cache across the iterators of one request (its retries after 503 etc.). */
  readonly cache?: DnsLookupCache;
}

/**
 * The targets of one URI, in the order to try them. Ask `await iterator.next()` for the first target,
 * and again after a failure — RFC 3263 §4.3: "failure occurs if the transaction layer reports a 503
 * error response or a transport failure of some sort [...] or if the transaction layer times out
 * without ever having received any response [...]. If a failure occurs, the client SHOULD create a new
 * request, which is identical to the previous, but has a different value of the Via branch ID [...].
 * That request is sent to the next element in the list as specified by RFC 2782." `undefined` = no
 * more targets; `problems` then says why the list was short.
 */
export class TargetIterator {
  private readonly target: SipTarget;
  private readonly resolver: Resolver;
  private readonly preferences: ResolvePreferences;
  private readonly random: RandomSource;
  private readonly cache: DnsLookupCache;
  private readonly steps: AsyncGenerator<ResolvedTarget, void>;
  private readonly seen = new Set<string>();
  private readonly given: ResolvedTarget[] = [];
  private readonly problemList: ResolveProblem[] = [];
  private readonly problemKeys = new Set<string>();
  private done = false;

  constructor(target: SipTarget, options: LocateOptions) {
    this.target = target;
    this.resolver = options.resolver;
    this.preferences = options.preferences ?? DEFAULT_RESOLVE_PREFERENCES;
    this.random = options.random ?? Math.random;
    this.cache = options.cache ?? new DnsLookupCache();
    this.steps = this.locate();
  }

  /** The next target to try, or undefined when there are no more. */
  async next(): Promise<ResolvedTarget | undefined> {
    while (!this.done) {
      const step = await this.steps.next();
      if (step.done === true) {
        this.done = true;
        break;
      }
      // The same address can be reached through two SRV records or two NAPTR services; once is enough.
      const key = `${step.value.transport} ${step.value.address} ${step.value.port}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.given.push(step.value);
      return step.value;
    }
    return undefined;
  }

  /** True once next() has returned undefined. */
  get exhausted(): boolean {
    return this.done;
  }

  /** The targets handed out so far, in order. */
  get tried(): readonly ResolvedTarget[] {
    return this.given;
  }

  /** DNS failures and unusable inputs met so far (NXDOMAIN/ENODATA on the way are normal). */
  get problems(): readonly ResolveProblem[] {
    return this.problemList;
  }

  private problem(problem: ResolveProblem): void {
    const key = JSON.stringify(problem);
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problemList.push(problem);
  }

  private supports(transport: SipTransport): boolean {
    return this.preferences.transports.includes(transport);
  }

  /**
   * RFC 3263 §4.1: with no transport parameter, "the client SHOULD use UDP for a SIP URI, and TCP for a
   * SIPS URI" (TCP for a SIPS URI being TLS over TCP) — "However, another transport, such as TCP, MAY
   * be used if the guidelines of SIP mandate it": a client without UDP uses the next it has.
   */
  private defaultTransport(): SipTransport | undefined {
    if (this.target.secure) return this.supports('tls') ? 'tls' : undefined;
    return (['udp', 'tcp', 'tls'] as const).find((t) => this.supports(t));
  }

  private async *locate(): AsyncGenerator<ResolvedTarget, void> {
    const target = this.target;
    // RFC 3263 §4: "We define TARGET as the value of the maddr parameter of the URI, if present,
    // otherwise, the host value of the hostport component of the URI."
    const host = (target.maddr ?? target.host).replace(/\.$/, '');

    let explicit: SipTransport | undefined;
    if (target.transport !== undefined) {
      if (target.secure && target.transport === 'udp') return this.problem({ kind: 'sips-over-udp' });
      // A SIPS URI's transport=tcp is TLS over TCP (RFC 3261 §26.2.2); transport=tls is the deprecated spelling.
      explicit = target.secure ? 'tls' : target.transport;
      if (!this.supports(explicit))
        return this.problem({ kind: 'transport-not-supported', transport: explicit });
    }
    const fallbackTransport = explicit ?? this.defaultTransport();
    if (fallbackTransport === undefined) {
      return this.problem({ kind: 'transport-not-supported', transport: target.secure ? 'tls' : 'udp' });
    }

    const literal = parseIpLiteral(host);
    if (literal !== undefined) {
      // RFC 3263 §4.2: "If TARGET is a numeric IP address, the client uses that address. If the URI also
      // contains a port, it uses that port. If no port is specified, it uses the default port for the
      // particular transport protocol."
      if (!this.preferences.families.includes(literal.family)) {
        return this.problem({
          kind: 'family-not-supported',
          address: literal.address,
          family: literal.family,
        });
      }
      yield {
        address: literal.address,
        port: target.port ?? defaultPort(fallbackTransport),
        family: literal.family,
        transport: fallbackTransport,
        source: 'literal',
      };
      return;
    }

    if (target.port !== undefined) {
      // RFC 3263 §4.2: "If the TARGET was not a numeric IP address, but a port is present in the URI, the
      // client performs an A or AAAA record lookup of the domain name. The result will be a list of IP
      // addresses, each of which can be contacted at the specific port from the URI and transport
      // protocol determined previously."
      yield* this.addresses(host, target.port, fallbackTransport, undefined);
      return;
    }

    if (explicit !== undefined) {
      // RFC 3263 §4.2: "If it was not [NAPTR processing], because a transport was specified explicitly,
      // the client performs an SRV query for that specific transport".
      const found = yield* this.srvTargets(srvServiceName(explicit, host), explicit, 'srv');
      if (!found) yield* this.addresses(host, defaultPort(explicit), explicit, undefined);
      return;
    }

    // RFC 3263 §4.1: "Otherwise, if no transport protocol or port is specified, and the target is not a
    // numeric IP address, the client SHOULD perform a NAPTR query for the domain in the URI."
    const naptr = await this.cache.naptr(this.resolver, host);
    if (!naptr.ok) this.problem({ kind: 'dns', type: 'NAPTR', name: host, code: naptr.code });
    const services = naptr.ok
      ? selectNaptrServices(naptr.records, target.secure, this.preferences.transports)
      : [];
    if (services.length > 0) {
      let found = false;
      for (const service of services) {
        if (yield* this.srvTargets(service.srvName, service.transport, 'naptr')) found = true;
      }
      // RFC 3263 §4.2: "If no SRV records were found, the client performs an A or AAAA record lookup of
      // the domain name", with "the transport protocol determined previously" — NAPTR's first choice.
      const chosen = services[0]?.transport ?? fallbackTransport;
      if (!found) yield* this.addresses(host, defaultPort(chosen), chosen, undefined);
      return;
    }

    // RFC 3263 §4.1: "If no NAPTR records are found, the client constructs SRV queries for those
    // transport protocols it supports, and does a query for each. Queries are done using the service
    // identifier "_sip" for SIP URIs and "_sips" for SIPS URIs. A particular transport is supported if the
    // query is successful. The client MAY use any transport protocol it desires which is supported by the
    // server." We go through them in our order of preference.
    const candidates = target.secure ? (['tls'] as const) : this.preferences.transports;
    let found = false;
    for (const transport of candidates) {
      if (yield* this.srvTargets(srvServiceName(transport, host), transport, 'srv')) found = true;
    }
    // RFC 3263 §4.1: "If no SRV records are found, the client SHOULD use TCP for a SIPS URI, and UDP for a
    // SIP URI", at "the default port for that transport" (§4.2).
    if (!found) yield* this.addresses(host, defaultPort(fallbackTransport), fallbackTransport, undefined);
  }

  /**
   * The addresses behind an SRV RRset in RFC 2782 order. Returns whether the RRset existed: a domain
   * that publishes SRV records for a service (even only the "." marker) is not looked up by A/AAAA.
   */
  private async *srvTargets(
    name: string,
    transport: SipTransport,
    source: TargetSource,
  ): AsyncGenerator<ResolvedTarget, boolean> {
    const answer = await this.cache.srv(this.resolver, name);
    if (!answer.ok) {
      this.problem({ kind: 'dns', type: 'SRV', name, code: answer.code });
      return false;
    }
    if (answer.records.length === 0) return false;
    const records = answer.records.filter((r) => !isServiceUnavailableMarker(r));
    for (const record of orderSrvRecords(records, this.random)) {
      yield* this.addresses(record.name.replace(/\.$/, ''), record.port, transport, source);
    }
    return true;
  }

  /**
   * A then AAAA (or the other way round, per preferences) of one name. `source` undefined = the name came
   * straight from the URI, so the source is the record type.
   */
  private async *addresses(
    name: string,
    port: number,
    transport: SipTransport,
    source: TargetSource | undefined,
  ): AsyncGenerator<ResolvedTarget, void> {
    for (const family of this.preferences.families) {
      const answer = await this.cache.address(this.resolver, family, name);
      if (!answer.ok) {
        this.problem({ kind: 'dns', type: family === 4 ? 'A' : 'AAAA', name, code: answer.code });
        continue;
      }
      for (const address of answer.records) {
        yield {
          address: family === 6 ? address.toLowerCase() : address,
          port,
          family,
          transport,
          source: source ?? (family === 4 ? 'a' : 'aaaa'),
          hostname: name,
        };
      }
    }
  }
}

/** Every target of a URI, in order (drains a TargetIterator). */
export async function resolveTargets(
  target: SipTarget,
  options: LocateOptions,
): Promise<{ targets: ResolvedTarget[]; problems: readonly ResolveProblem[] }> {
  const iterator = new TargetIterator(target, options);
  const targets: ResolvedTarget[] = [];
  for (let t = await iterator.next(); t !== undefined; t = await iterator.next()) targets.push(t);
  return { targets, problems: iterator.problems };
}

/**
 * The onboarding domain of the phone API: `onboarding.discover` looks a SIP domain up before an account
 * is added, so the setup screen can say where the domain's SIP servers are and which STUN/TURN servers
 * it publishes — and pick a transport the domain offers.
 *
 * It only asks DNS (through the platform Resolver): RFC 3263 server location for `sip:<domain>` with no
 * transport, port or maddr, so every transport the phone speaks is considered (`resolveTargets` drains
 * the NAPTR → SRV → A/AAAA chain), and the STUN/TURN SRV records of RFC 5389 §9 / RFC 5766 §6.1 /
 * RFC 7065 (`discoverServers`). Each half is bounded by DISCOVER_TIMEOUT_MS: a resolver that does not
 * answer gives an `ETIMEOUT` problem, not a screen that waits forever.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type {
  DiscoveredNatServer,
  DiscoveredSipTarget,
  Discovery,
  DiscoveryProblem,
} from '../../src-shared/model/onboarding.ts';
import { DISCOVERY_LIST_MAX } from '../../src-shared/model/onboarding.ts';
import { discoverServers } from '../nat/index.ts';
import { formatAddress } from '../platform/index.ts';
import type { Clock, Resolver, Timer } from '../platform/index.ts';
import { parseIpLiteral, resolveTargets } from '../sip/resolve/index.ts';
import type { RandomSource, ResolveProblem, SipTarget } from '../sip/resolve/index.ts';
import type { CommandHandlers } from './router.ts';

/** How long each half of a discovery (SIP servers, STUN/TURN servers) may take. */
export const DISCOVER_TIMEOUT_MS = 8_000;

export interface OnboardingServiceOptions {
  clock: Clock;
  resolver: Resolver;
  /** RFC 2782 weighted ordering of equal-priority SRV records (default Math.random). */
  random?: RandomSource;
  timeoutMs?: number;
}

/** Answers that only say "there is no such record": the normal way for a domain not to publish a service. */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

export class OnboardingService {
  readonly handlers: Pick<CommandHandlers, 'onboarding.discover'>;
  readonly #options: OnboardingServiceOptions;
  readonly #timers = new Set<Timer>();
  #closed = false;

  constructor(options: OnboardingServiceOptions) {
    this.#options = options;
    this.handlers = {
      'onboarding.discover': (request) => this.discover(request.domain),
    };
  }

  async discover(domainText: string): Promise<Discovery> {
    if (this.#closed) throw new PhoneError('unavailable', 'The phone is shutting down.');
    const target = sipTargetOf(domainText);
    if (target === undefined)
      throw new PhoneError(
        'invalid-request',
        `domain: ${JSON.stringify(domainText)} is not a host name or address`,
      );
    const problems: DiscoveryProblem[] = [];
    const [sip, nat] = await Promise.all([
      this.#bounded(this.#sipTargets(target, problems), 'sip', target.host, problems),
      // A literal address publishes no SRV records: nothing to ask.
      parseIpLiteral(target.host) === undefined
        ? this.#bounded(this.#natServers(target.host, problems), 'stun-turn', target.host, problems)
        : Promise.resolve([]),
    ]);
    return {
      domain: target.host,
      sipTargets: (sip ?? []).slice(0, DISCOVERY_LIST_MAX),
      stunTurn: (nat ?? []).slice(0, DISCOVERY_LIST_MAX),
      // the two halves ran side by side: SIP's problems first, whichever finished first
      problems: [
        ...problems.filter((p) => p.step === 'sip'),
        ...problems.filter((p) => p.step !== 'sip'),
      ].slice(0, DISCOVERY_LIST_MAX),
    };
  }

  /** Cancel the timers of discoveries under way (their answers are then whatever DNS gives). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
  }

  async #sipTargets(target: SipTarget, problems: DiscoveryProblem[]): Promise<DiscoveredSipTarget[]> {
    const { targets, problems: found } = await resolveTargets(target, {
      resolver: this.#options.resolver,
      ...(this.#options.random !== undefined ? { random: this.#options.random } : {}),
    });
    for (const problem of found) {
      const reported = reportable(problem);
      if (reported !== undefined) addProblem(problems, { step: 'sip', ...reported });
    }
    return targets.map((t) => ({
      transport: t.transport,
      address: t.address,
      port: t.port,
      hostname: t.hostname ?? null,
      source: t.source,
    }));
  }

  async #natServers(domain: string, problems: DiscoveryProblem[]): Promise<DiscoveredNatServer[]> {
    const found = await discoverServers({ resolver: this.#options.resolver, domain });
    for (const lookup of found.srv) {
      if (lookup.error !== undefined)
        addProblem(problems, { step: 'stun-turn', name: lookup.name, code: lookup.error });
    }
    return found.servers.map((s) => ({
      uri: s.uri,
      kind: s.kind,
      transport: s.transport,
      host: s.host,
      port: s.port,
      addresses: s.addresses.slice(0, 16).map((a) => formatAddress(a)),
    }));
  }

  /** `work`, or undefined (and an ETIMEOUT problem) when it takes longer than the timeout. */
  #bounded<T>(
    work: Promise<T>,
    step: DiscoveryProblem['step'],
    name: string,
    problems: DiscoveryProblem[],
  ): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const timer = this.#options.clock.setTimer(this.#options.timeoutMs ?? DISCOVER_TIMEOUT_MS, () => {
        this.#timers.delete(timer);
        addProblem(problems, { step, name, code: 'ETIMEOUT' });
        resolve(undefined);
      });
      this.#timers.add(timer);
      work.then(
        (value) => {
          timer.cancel();
          this.#timers.delete(timer);
          resolve(value);
        },
        (error: unknown) => {
          timer.cancel();
          this.#timers.delete(timer);
          reject(error);
        },
      );
    });
  }
}

/**
 * `example.com`, `pbx.local:5062`, `192.0.2.1`, `[2001:db8::1]:5060` as the SIP URI to locate. RFC 3263
 * §4.1: with no transport parameter, NAPTR (then SRV per transport) decides the transport.
 */
export function sipTargetOf(domain: string): SipTarget | undefined {
  const text = domain.trim().toLowerCase().replace(/\.$/, '');
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  const plain = /^([a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
  const match = bracketed ?? plain;
  const host = match?.[1];
  if (match === null || host === undefined || host === '') return undefined;
  if (bracketed !== null && parseIpLiteral(host) === undefined) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return { host, secure: false, ...(port !== undefined ? { port } : {}) };
}

/** The problems worth telling the user: failures of DNS itself, and names that do not exist at all. */
function reportable(problem: ResolveProblem): { name: string; code: string } | undefined {
  if (problem.kind !== 'dns') return undefined;
  const addressLookup = problem.type === 'A' || problem.type === 'AAAA';
  // "No such SRV/NAPTR record" is how a domain says it has no such service; "no such host" is news.
  if (NO_RECORD.has(problem.code) && !(addressLookup && problem.code === 'ENOTFOUND')) return undefined;
  return { name: problem.name, code: problem.code };
}

function addProblem(problems: DiscoveryProblem[], problem: DiscoveryProblem): void {
  if (problems.some((p) => p.step === problem.step && p.name === problem.name && p.code === problem.code))
    return;
  problems.push(problem);
}

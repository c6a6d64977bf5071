/**
 * The setup of an account, step by step: the form, what the domain's DNS says (its SIP servers and
 * STUN/TURN servers), the registration, and — once registered — the network check. These functions
 * turn the phone's answers into what the setup screen says; the screen itself only sequences them.
 */
import type { AccountSnapshot, SipTransport } from '../../../../src-shared/model/account.ts';
import type { DiscoveredSipTarget, Discovery } from '../../../../src-shared/model/onboarding.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';

export type SetupOutcome = 'registering' | 'registered' | 'failed';

/** Where the account's registration stands, from the setup's point of view. */
export function setupOutcomeOf(account: AccountSnapshot): SetupOutcome {
  switch (account.registration.state) {
    case 'registered':
      return 'registered';
    case 'failed':
      return 'failed';
    default:
      return 'registering';
  }
}

/** The transport "automatic" stands for: the first one in RFC 3263 order, or null when DNS offered none. */
export function transportOfDiscovery(discovery: Discovery | null): SipTransport | null {
  return discovery?.sipTargets[0]?.transport ?? null;
}

/** "UDP 192.0.2.10:5060" (IPv6 in brackets). */
export function targetAddressOf(target: DiscoveredSipTarget): string {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  return `${target.transport.toUpperCase()} ${host}:${target.port}`;
}

/** What the setup says about the lookup, beyond the servers it lists. */
export function discoveryNotesOf(discovery: Discovery, proxyGiven: boolean): LocalizedMessage[] {
  const notes: LocalizedMessage[] = [];
  const domain = discovery.domain;
  if (discovery.sipTargets.length === 0) {
    const sip = discovery.problems.filter((p) => p.step === 'sip');
    if (sip.some((p) => p.code === 'ETIMEOUT'))
      notes.push({ key: 'onboarding.discovery.dnsTimeout', params: { domain } });
    else if (sip.some((p) => p.code === 'ENOTFOUND'))
      notes.push({ key: 'onboarding.discovery.notFound', params: { domain } });
    else notes.push({ key: 'onboarding.discovery.noSipServer', params: { domain } });
  }
  if (proxyGiven) notes.push({ key: 'onboarding.discovery.usingProxy' });
  if (discovery.problems.some((p) => p.step === 'stun-turn' && p.code === 'ETIMEOUT')) {
    notes.push({ key: 'onboarding.discovery.natTimeout' });
  }
  return notes;
}

/** The host name (or address) for the NAT check's `domain`: only names qualify (no port, no IP literal). */
export function natCheckDomainOf(domain: string): string | null {
  const host = domain.trim().replace(/:\d+$/, '').toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(host) || /^[0-9.]+$/.test(host)) return null;
  return host;
}

/**
 * DNS through node:dns/promises' Resolver (c-ares: real DNS queries, not getaddrinfo, so NAPTR and SRV
 * work and /etc/hosts is not consulted). Rejections keep Node's codes: ENOTFOUND for NXDOMAIN, ENODATA
 * for "no record of this type", ETIMEOUT, ESERVFAIL, ECONNREFUSED, ECANCELLED after dispose().
 */
import { Resolver as DnsResolver } from 'node:dns/promises';
import type { NaptrRecord, Resolver, SrvRecord } from './ports.ts';

export interface NodeResolverOptions {
  /** Name servers ('192.0.2.1', '192.0.2.1:5353', '[2001:db8::1]:53'); default: the system's. */
  servers?: string[];
  /** Time to wait for one answer before retrying, in ms (c-ares doubles it on each retry). */
  timeoutMs?: number;
  /** Attempts per server before giving up (default 4). */
  tries?: number;
}

export class NodeResolver implements Resolver {
  private readonly dns: DnsResolver;

  constructor(options: NodeResolverOptions = {}) {
    this.dns = new DnsResolver({ timeout: options.timeoutMs ?? -1, tries: options.tries ?? 4 });
    if (options.servers !== undefined) this.dns.setServers(options.servers);
  }

  /** The servers in use, as node:dns reports them. */
  servers(): string[] {
    return this.dns.getServers();
  }

  // Records are copied field by field: newer Node versions add fields (such as `type`) of their own.

  async resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return (await this.dns.resolveNaptr(name)).map(
      ({ flags, service, regexp, replacement, order, preference }) => ({
        flags,
        service,
        regexp,
        replacement,
        order,
        preference,
      }),
    );
  }

  async resolveSrv(name: string): Promise<SrvRecord[]> {
    return (await this.dns.resolveSrv(name)).map(({ name: target, port, priority, weight }) => ({
      name: target,
      port,
      priority,
      weight,
    }));
  }

  resolve4(name: string): Promise<string[]> {
    return this.dns.resolve4(name);
  }

  resolve6(name: string): Promise<string[]> {
    return this.dns.resolve6(name);
  }

  /** Cancel every query in flight (they reject with ECANCELLED). */
  dispose(): void {
    this.dns.cancel();
  }
}

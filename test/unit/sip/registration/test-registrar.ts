/**
 * A small registrar for the registration tests, built on our own SipUserAgent on the in-memory network:
 * digest (MD5, qop=auth) with nonces it can declare stale, Min-Expires (423), Max-Expires (shortens),
 * RFC 5626 outbound (Require: outbound when asked with reg-id), a scripted status for the next requests,
 * and a location table read by the tests. No timers of its own: bindings expire by the clock's time.
 */
import { FakeResolver } from '../../../../src-main/platform/index.ts';
import type { FakeClock, MemoryHost, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import { computeDigest, digestHash } from '../../../../src-main/sip/auth/index.ts';
import { Header, authParam, formatUri } from '../../../../src-main/sip/syntax/index.ts';
import type { ContactAddress, SipRequest } from '../../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../../src-main/sip/ua/index.ts';
import type { UasRequest } from '../../../../src-main/sip/ua/index.ts';

export interface RegistrarBinding {
  readonly contact: string;
  readonly expiresAt: number;
  readonly instance: string | undefined;
  readonly regId: number | undefined;
  readonly callId: string;
  readonly cseq: number;
}

export interface RegistrarOptions {
  readonly address?: string;
  readonly port?: number;
  readonly users?: Readonly<Record<string, string>>;
  readonly realm?: string;
  readonly minExpires?: number;
  readonly maxExpires?: number;
  /** Answer `Require: outbound` to a REGISTER with reg-id. */
  readonly outbound?: boolean;
  /** Answer 403 instead of a second 401 for wrong credentials. */
  readonly forbidWrongPassword?: boolean;
  /** Leave the expires parameter out of the 200's Contact (Expires header only). */
  readonly expiresHeaderOnly?: boolean;
  /** Answer without received/rport in the Via (a registrar without RFC 3581): the client cannot see its NAT. */
  readonly hideSource?: boolean;
}

export interface Received {
  readonly request: SipRequest;
  /** Monotonic time of arrival. */
  readonly at: number;
  readonly source: string;
}

export class TestRegistrar {
  readonly ua: SipUserAgent;
  readonly host: MemoryHost;
  readonly address: string;
  readonly port: number;
  /** Every REGISTER that reached the handler (retransmissions are absorbed by the transaction). */
  readonly received: Received[] = [];
  /** Bindings per AOR user. */
  readonly bindings = new Map<string, Map<string, RegistrarBinding>>();
  /** Statuses to answer the next REGISTERs with (shifted one per request), with extra headers. */
  readonly script: { status: number; headers?: [string, string][] }[] = [];
  readonly options: RegistrarOptions;
  readonly #clock: FakeClock;
  #nonceCounter = 0;
  /** Nonces handed out and still valid. */
  readonly #nonces = new Set<string>();
  /** Nonces declared stale: answered with stale=true. */
  readonly #stale = new Set<string>();
  /** When false, REGISTERs are swallowed without an answer. */
  answering = true;

  private constructor(
    clock: FakeClock,
    host: MemoryHost,
    ua: SipUserAgent,
    options: RegistrarOptions,
    address: string,
    port: number,
  ) {
    this.#clock = clock;
    this.host = host;
    this.ua = ua;
    this.options = options;
    this.address = address;
    this.port = port;
    ua.onRequest('REGISTER', (uas) => this.#register(uas));
  }

  static async start(
    clock: FakeClock,
    net: MemoryNetwork,
    options: RegistrarOptions = {},
  ): Promise<TestRegistrar> {
    const address = options.address ?? '203.0.113.5';
    const port = options.port ?? 5060;
    const host = net.host(address);
    const ua = new SipUserAgent({
      clock,
      network: host,
      resolver: new FakeResolver(),
      userAgent: 'test-registrar',
      transport: { udp: { families: [4], port }, tcpListener: { port } },
    });
    await ua.start();
    return new TestRegistrar(clock, host, ua, options, address, port);
  }

  close(): void {
    this.ua.close();
  }

  /** The next challenge for a nonce in use answers stale=true (RFC 7616 §3.3). */
  expireNonces(): void {
    for (const n of this.#nonces) this.#stale.add(n);
    this.#nonces.clear();
  }

  /** Current bindings of `user` (expired ones dropped), contact → binding. */
  bindingsOf(user: string): RegistrarBinding[] {
    const table = this.bindings.get(user);
    if (table === undefined) return [];
    const now = this.#clock.monotonic();
    for (const [key, b] of table) if (b.expiresAt <= now) table.delete(key);
    return [...table.values()];
  }

  /** Contacts of every REGISTER received, as written. */
  contactLines(): string[] {
    return this.received.map((r) => r.request.headers.getAll('Contact').join(', '));
  }

  #register(uas: UasRequest): void {
    const request = uas.request;
    this.received.push({
      request,
      at: this.#clock.monotonic(),
      source: `${uas.origin.source.address}:${uas.origin.source.port}`,
    });
    if (!this.answering) return;
    const scripted = this.script.shift();
    if (scripted !== undefined) {
      uas.respond(scripted.status, { headers: scripted.headers ?? [] });
      return;
    }
    const user = request.to.uri.kind === 'sip' ? (request.to.uri.user ?? '') : '';
    const users = this.options.users;
    if (users !== undefined) {
      const verdict = this.#checkAuth(request, users[user]);
      if (verdict !== 'ok') {
        if (verdict === 'wrong' && this.options.forbidWrongPassword === true) {
          uas.respond(403);
          return;
        }
        uas.respond(401, { headers: [['WWW-Authenticate', this.#challenge(verdict === 'stale')]] });
        return;
      }
    }
    const contacts = request.headers.all(Header.Contact);
    if (!contacts.ok) {
      uas.respond(400);
      return;
    }
    const expiresHeader = request.headers.first(Header.Expires);
    const defaultExpires = expiresHeader.ok && expiresHeader.value !== undefined ? expiresHeader.value : 3600;
    const table = this.bindings.get(user) ?? new Map<string, RegistrarBinding>();
    this.bindings.set(user, table);
    const addresses = contacts.value.filter((c): c is ContactAddress => c.kind === 'address');
    if (contacts.value.some((c) => c.kind === 'wildcard')) {
      table.clear();
    } else {
      const min = this.options.minExpires;
      for (const c of addresses) {
        const e = c.expires ?? defaultExpires;
        if (min !== undefined && e > 0 && e < min) {
          uas.respond(423, { headers: [['Min-Expires', String(min)]] });
          return;
        }
      }
      const now = this.#clock.monotonic();
      for (const c of addresses) {
        const key = formatUri(c.uri);
        const e = Math.min(c.expires ?? defaultExpires, this.options.maxExpires ?? Infinity);
        const known = table.get(key);
        // RFC 3261 §10.3 step 7: same Call-ID, CSeq not higher → leave the binding alone.
        if (known !== undefined && known.callId === request.callId && known.cseq >= request.cseq.seq)
          continue;
        if (e === 0) table.delete(key);
        else
          table.set(key, {
            contact: key,
            expiresAt: now + e * 1000,
            instance: c.instance,
            regId: c.regId,
            callId: request.callId,
            cseq: request.cseq.seq,
          });
      }
    }
    const current = this.bindingsOf(user);
    const now = this.#clock.monotonic();
    const headerOnly = this.options.expiresHeaderOnly === true;
    const lines = current.map((b) => {
      const remaining = Math.round((b.expiresAt - now) / 1000);
      const instance = b.instance !== undefined ? `;+sip.instance="<${b.instance}>"` : '';
      const regId = b.regId !== undefined ? `;reg-id=${b.regId}` : '';
      return `<${b.contact}>${headerOnly ? '' : `;expires=${remaining}`}${instance}${regId}`;
    });
    const headers: [string, string][] = [];
    if (lines.length > 0) headers.push(['Contact', lines.join(', ')]);
    if (headerOnly) {
      const mine = current[0];
      headers.push(['Expires', String(mine === undefined ? 0 : Math.round((mine.expiresAt - now) / 1000))]);
    }
    if (this.options.outbound === true && addresses.some((c) => c.regId !== undefined))
      headers.push(['Require', 'outbound']);
    const response = uas.createResponse(200, { headers });
    if (this.options.hideSource === true) {
      const { received: _received, rport: _rport, ...via } = response.topVia;
      response.headers.replaceFirstValue(Header.Via, via);
    }
    uas.send(response);
  }

  #challenge(stale: boolean): string {
    const nonce = `nonce-${++this.#nonceCounter}`;
    this.#nonces.add(nonce);
    return `Digest realm="${this.options.realm ?? 'lab.test'}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** 'ok', 'missing' (no credentials), 'stale' (a nonce we retired) or 'wrong'. */
  #checkAuth(request: SipRequest, password: string | undefined): 'ok' | 'missing' | 'stale' | 'wrong' {
    const header = request.headers.first(Header.Authorization);
    if (!header.ok || header.value === undefined) return 'missing';
    const credentials = header.value;
    const nonce = authParam(credentials, 'nonce') ?? '';
    if (this.#stale.has(nonce)) return 'stale';
    if (!this.#nonces.has(nonce)) return 'missing';
    if (password === undefined) return 'wrong';
    const expected = computeDigest({
      hash: digestHash('MD5'),
      session: false,
      username: authParam(credentials, 'username') ?? '',
      realm: authParam(credentials, 'realm') ?? '',
      password,
      method: 'REGISTER',
      uri: authParam(credentials, 'uri') ?? '',
      nonce,
      cnonce: authParam(credentials, 'cnonce') ?? '',
      nc: authParam(credentials, 'nc') ?? '',
      qop: 'auth',
    });
    return expected.response === authParam(credentials, 'response') ? 'ok' : 'wrong';
  }
}

/**
 * A Kamailio 5.6 registrar/proxy for interop tests, configured from scratch in a temporary folder.
 *
 * What the generated script does (see `kamailioConfig` for the text):
 * - listens on UDP/TCP (one port number for both) and optionally TLS, on one address — and, with
 *   `ipv6Address` (e.g. `::1`), on that IPv6 address too, same ports (`listen=udp:[::1]:port`; then
 *   `dns_try_ipv6=yes`, without which Kamailio cannot relay to an `[::1]` Contact: 478);
 * - digest authentication without a database: passwords live in the in-memory htable `users`, filled
 *   in `event_route[htable:mod-init]`; `pv_auth_check(realm, $sht(users=>$au), …, "1")` checks them
 *   (the auth user must equal the To user for REGISTER, the From user otherwise);
 *   REGISTER without valid credentials → 401, any other request whose From is in our domain → 407
 *   (qop=auth); requests from foreign domains are not challenged;
 * - registrar + usrloc in memory (db_mode 0), optional min/max expires (423 below the minimum);
 * - NAT: `force_rport()` on everything; `nat_uac_test("19")` (RFC 1918 Contact, Via ≠ source, port ≠
 *   Via port) → REGISTER: `fix_nated_register()` (the source goes to the binding's `received`) and the
 *   binding gets the NAT branch flag; other requests and replies: `fix_nated_contact()`; optional SIP
 *   OPTIONS keepalives to NATed contacts (`natPingInterval`);
 * - record-route for INVITE/SUBSCRIBE/REFER; in-dialog requests (BYE, re-INVITE, ACK, REFER, NOTIFY,
 *   INFO, UPDATE, PRACK…) follow loose routing; CANCEL and hop-by-hop ACK are matched to transactions;
 * - initial requests to a user of the domain: unknown user → 404, not registered → 480, else `lookup`
 *   and stateful relay (forking to all bindings); OPTIONS to the server itself → 200;
 *   `sanity_check` on every request; other domains → 403.
 * Kamailio runs in the foreground (`-DD -E`), logs to `kamailio.log`, is stopped by PID and can be
 * started again on the same ports. The location table is read with `kamcmd` over the `ctl` module's
 * unix socket (works across network namespaces, the socket is a file).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bindingsOfAor, bindingsOfDump, kamcmd, type Binding, type RpcResult } from './kamailio-rpc.ts';
import { allocatePort, releasePort } from './ports.ts';
import { spawnManaged, tail, type ManagedProcess } from './processes.ts';
import { makeWorkDir } from './workdir.ts';

export interface SipUser {
  user: string;
  password: string;
}

export interface KamailioOptions {
  users: readonly SipUser[];
  /** SIP domain and digest realm (default 'lab.test'). */
  domain?: string;
  /** Listening address (default 127.0.0.1; inside a namespace e.g. 203.0.113.1). */
  address?: string;
  /** Listen on this IPv6 address too (e.g. `::1`), on the same ports as `address`. */
  ipv6Address?: string;
  /** UDP listener (default true). */
  udp?: boolean;
  /** TCP listener (default true). */
  tcp?: boolean;
  /** TLS listener with this certificate (PEM file paths). */
  tls?: { cert: string; key: string; ca?: string };
  /** Port for UDP and TCP (default: allocated on loopback, 5060 in a namespace). */
  port?: number;
  /** TLS port (default: allocated on loopback, 5061 in a namespace). */
  tlsPort?: number;
  /** Run inside this network namespace. */
  netns?: string;
  /** registrar min_expires; a REGISTER asking for less gets 423 (default 0 = no minimum). */
  minExpires?: number;
  /** registrar max_expires (default 3600). */
  maxExpires?: number;
  /** registrar default_expires (default 3600). */
  defaultExpires?: number;
  /** nathelper SIP OPTIONS pings to NATed contacts every N seconds (default 0 = off). */
  natPingInterval?: number;
  /** Script lines run for every request right after the sanity and NAT checks (`route[EXTRA]`). */
  extraRoute?: string;
  /** Extra top-level config text appended at the end (routes, modparams of loaded modules). */
  extraConfig?: string;
  /** Kamailio log level (default 2 = info; 3 = debug). */
  debug?: number;
}

export interface KamailioServer {
  readonly address: string;
  /** The IPv6 address it listens on too (`ipv6Address`), without brackets. */
  readonly ipv6Address: string | undefined;
  readonly domain: string;
  readonly udpPort: number | undefined;
  readonly tcpPort: number | undefined;
  readonly tlsPort: number | undefined;
  readonly logPath: string;
  readonly configPath: string;
  /** `unix:/…/ctl.sock`, for kamcmd. */
  readonly ctlSocket: string;
  /** `sip:<address>:<port>;transport=<t>` of a listener, for UA outbound-proxy settings. */
  uri(transport?: 'udp' | 'tcp' | 'tls'): string;
  /** `sip:[<ipv6Address>]:<port>;transport=<t>` (throws without `ipv6Address`). */
  uriIpv6(transport?: 'udp' | 'tcp' | 'tls'): string;
  /** Current bindings of an AoR (`alice`, `sip:alice@lab.test`); [] when none. */
  bindings(aor: string): Promise<Binding[]>;
  /** Every binding in the location table. */
  allBindings(): Promise<Binding[]>;
  /** Poll until `aor` has at least `count` bindings (default 1), or throw after `timeoutMs`. */
  waitForBindings(aor: string, count?: number, timeoutMs?: number): Promise<Binding[]>;
  /** Any RPC command (e.g. `tm.stats`, `ul.rm location alice`). */
  rpc(command: string, ...args: string[]): Promise<RpcResult>;
  isRunning(): boolean;
  /** Stop the process (SIGTERM, then SIGKILL). Ports stay reserved for `start()`. */
  stop(): Promise<void>;
  /** Start again with the same config on the same ports (the location table starts empty). */
  start(): Promise<void>;
  /** Stop, release ports, delete the folder. */
  dispose(): Promise<void>;
}

const MODULES_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export async function startKamailio(options: KamailioOptions): Promise<KamailioServer> {
  const dir = makeWorkDir('kamailio');
  const allocated: number[] = [];
  let current: ManagedProcess | undefined;
  try {
    const address = options.address ?? '127.0.0.1';
    const ipv6Address = options.ipv6Address;
    const domain = options.domain ?? 'lab.test';
    const udp = options.udp ?? true;
    const tcp = options.tcp ?? true;
    const onLoopback = options.netns === undefined;
    const pick = async (given: number | undefined, inNamespace: number): Promise<number> => {
      if (given !== undefined) return given;
      if (!onLoopback) return inNamespace;
      const port = await allocatePort(ipv6Address === undefined ? [address] : [address, ipv6Address]);
      allocated.push(port);
      return port;
    };
    const port = udp || tcp ? await pick(options.port, 5060) : undefined;
    const tlsPort = options.tls ? await pick(options.tlsPort, 5061) : undefined;
    const ctlPath = dir.file('ctl.sock');
    const configPath = dir.file('kamailio.cfg');
    const tlsConfigPath = dir.file('tls.cfg');
    const logPath = dir.file('kamailio.log');
    if (options.tls) writeFileSync(tlsConfigPath, tlsConfig(options.tls));
    writeFileSync(
      configPath,
      kamailioConfig({ ...options, address, domain, udp, tcp, port, tlsPort, ctlPath, tlsConfigPath }),
    );

    const ctlSocket = `unix:${ctlPath}`;
    const launch = async (): Promise<void> => {
      const proc = spawnManaged({
        name: 'kamailio',
        command: 'kamailio',
        args: [
          '-DD',
          '-E',
          '-f',
          configPath,
          '-Y',
          dir.path,
          '-L',
          MODULES_DIR,
          '-m',
          '32',
          '-M',
          '8',
          '-a',
          'no',
        ],
        logPath,
        workDir: dir,
        netns: options.netns,
      });
      current = proc;
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (!proc.isRunning()) throw new Error(`kamailio exited at start:\n${tail(proc.log())}`);
        if (existsSync(ctlPath) && (await kamcmd(ctlSocket, 'core.version')).ok) return;
        if (Date.now() > deadline) throw new Error(`kamailio not ready in 15 s:\n${tail(proc.log())}`);
        await sleep(50);
      }
    };
    await launch();

    const bindings = async (aor: string): Promise<Binding[]> => {
      const result = await kamcmd(ctlSocket, 'ul.lookup', ['location', aorUser(aor)]);
      if (!result.ok) {
        if (/not found/i.test(result.reason)) return [];
        throw new Error(`ul.lookup ${aor}: ${result.code} ${result.reason}`);
      }
      return bindingsOfAor(result.value);
    };

    const listenerPort = (transport: 'udp' | 'tcp' | 'tls'): number => {
      const p = transport === 'tls' ? tlsPort : port;
      if (p === undefined || (transport === 'udp' && !udp) || (transport === 'tcp' && !tcp)) {
        throw new Error(`kamailio has no ${transport} listener`);
      }
      return p;
    };
    const server: KamailioServer = {
      address,
      ipv6Address,
      domain,
      udpPort: udp ? port : undefined,
      tcpPort: tcp ? port : undefined,
      tlsPort,
      logPath,
      configPath,
      ctlSocket,
      uri(transport = 'udp') {
        return `sip:${address}:${listenerPort(transport)};transport=${transport}`;
      },
      uriIpv6(transport = 'udp') {
        if (ipv6Address === undefined) throw new Error('kamailio listens on no IPv6 address');
        return `sip:[${ipv6Address}]:${listenerPort(transport)};transport=${transport}`;
      },
      bindings,
      async allBindings() {
        const result = await kamcmd(ctlSocket, 'ul.dump');
        if (!result.ok) throw new Error(`ul.dump: ${result.code} ${result.reason}`);
        return bindingsOfDump(result.value);
      },
      async waitForBindings(aor, count = 1, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = await bindings(aor);
          if (found.length >= count) return found;
          if (Date.now() > deadline)
            throw new Error(`${aor}: ${found.length} binding(s) after ${timeoutMs} ms, wanted ${count}`);
          await sleep(100);
        }
      },
      rpc: (command, ...args) => kamcmd(ctlSocket, command, args),
      isRunning: () => current?.isRunning() ?? false,
      async stop() {
        await current?.stop();
      },
      async start() {
        if (current?.isRunning()) throw new Error('kamailio is already running');
        await launch();
      },
      async dispose() {
        await current?.stop();
        for (const p of allocated) releasePort(p);
        dir.remove();
      },
    };
    return server;
  } catch (error) {
    await current?.stop();
    for (const p of allocated) releasePort(p);
    dir.remove();
    throw error;
  }
}

/** `sip:alice@lab.test` → `alice` (usrloc runs with use_domain = 0). */
export function aorUser(aor: string): string {
  const withoutScheme = aor.replace(/^sips?:/i, '');
  const at = withoutScheme.indexOf('@');
  return at >= 0 ? withoutScheme.slice(0, at) : withoutScheme;
}

function tlsConfig(tls: { cert: string; key: string; ca?: string }): string {
  return [
    '[server:default]',
    'method = TLSv1.2+',
    'verify_certificate = no',
    'require_certificate = no',
    `private_key = ${tls.key}`,
    `certificate = ${tls.cert}`,
    ...(tls.ca ? [`ca_list = ${tls.ca}`] : []),
    '',
    '[client:default]',
    'method = TLSv1.2+',
    'verify_certificate = no',
    'require_certificate = no',
    '',
  ].join('\n');
}

interface ResolvedConfig extends KamailioOptions {
  address: string;
  domain: string;
  udp: boolean;
  tcp: boolean;
  port: number | undefined;
  tlsPort: number | undefined;
  ctlPath: string;
  tlsConfigPath: string;
}

/** Quote a value for a Kamailio config string literal. */
function quoted(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error(`unsupported character in kamailio config value: ${value}`);
  return `"${value}"`;
}

/** The generated kamailio.cfg (exported so a failing test can print it). */
export function kamailioConfig(c: ResolvedConfig): string {
  for (const u of c.users) {
    if (!/^[A-Za-z0-9._~+-]+$/.test(u.user))
      throw new Error(`unsupported SIP user name for the lab: ${u.user}`);
  }
  const listen: string[] = [];
  const hosts = [c.address, ...(c.ipv6Address !== undefined ? [`[${c.ipv6Address}]`] : [])];
  for (const host of hosts) {
    if (c.udp && c.port !== undefined) listen.push(`listen=udp:${host}:${c.port}`);
    if (c.tcp && c.port !== undefined) listen.push(`listen=tcp:${host}:${c.port}`);
    if (c.tls && c.tlsPort !== undefined) listen.push(`listen=tls:${host}:${c.tlsPort}`);
  }
  const ports = [c.port, c.tlsPort].filter((p): p is number => p !== undefined);
  const aliases = [`alias=${quoted(c.domain)}`, ...ports.map((p) => `alias=${quoted(`${c.domain}:${p}`)}`)];
  const streams = c.tcp || c.tls !== undefined;
  const natPing = c.natPingInterval ?? 0;
  return `#!KAMAILIO
# Generated by test/interop/support/kamailio.ts for one interop test run.

#!define FLT_NATS 5
#!define FLB_NATB 6
#!define FLB_NATSIPPING 7

debug=${c.debug ?? 2}
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
dns_try_ipv6=${c.ipv6Address !== undefined ? 'yes' : 'no'}
use_dns_failover=no
${aliases.join('\n')}
${listen.join('\n')}
${streams ? 'tcp_connection_lifetime=3605\ntcp_accept_no_cl=yes' : 'disable_tcp=yes'}
enable_tls=${c.tls ? 'yes' : 'no'}
server_header="Server: kamailio-lab"
user_agent_header="User-Agent: kamailio-lab"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "ctl.so"
loadmodule "auth.so"
loadmodule "htable.so"
loadmodule "nathelper.so"
${c.tls ? 'loadmodule "tls.so"' : ''}

modparam("ctl", "binrpc", ${quoted(`unix:${c.ctlPath}`)})
modparam("tm", "failure_reply_mode", 3)
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 0)
modparam("rr", "append_fromtag", 0)
modparam("registrar", "method_filtering", 1)
modparam("registrar", "min_expires", ${c.minExpires ?? 0})
modparam("registrar", "min_expires_mode", 1)
modparam("registrar", "max_expires", ${c.maxExpires ?? 3600})
modparam("registrar", "default_expires", ${c.defaultExpires ?? 3600})
modparam("registrar", "gruu_enabled", 0)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
modparam("usrloc", "timer_interval", 5)
modparam("usrloc", "nat_bflag", FLB_NATB)
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", ${natPing})
modparam("nathelper", "ping_nated_only", 1)
modparam("nathelper", "sipping_bflag", FLB_NATSIPPING)
modparam("nathelper", "sipping_from", ${quoted(`sip:pinger@${c.domain}`)})
modparam("htable", "htable", "users=>size=6;")
modparam("sanity", "autodrop", 0)
${c.tls ? `modparam("tls", "config", ${quoted(c.tlsConfigPath)})` : ''}

event_route[htable:mod-init] {
${c.users.map((u) => `\t$sht(users=>${u.user}) = ${quoted(u.password)};`).join('\n')}
}

request_route {
\txlog("L_INFO", "REQ $rm $ru from $proto:$si:$sp\\n");
\troute(REQINIT);
\troute(NATDETECT);
\troute(EXTRA);

\t# CANCEL goes where its INVITE went (RFC 3261 16.10)
\tif (is_method("CANCEL")) {
\t\tif (t_check_trans()) route(RELAY);
\t\texit;
\t}
\t# absorb retransmissions
\tif (!is_method("ACK")) {
\t\tif (t_precheck_trans()) {
\t\t\tt_check_trans();
\t\t\texit;
\t\t}
\t\tt_check_trans();
\t}

\troute(WITHINDLG);
\troute(AUTH);

\tremove_hf("Route");
\tif (is_method("INVITE|SUBSCRIBE|REFER")) record_route();

\troute(REGISTRAR);

\tif ($rU == $null) {
\t\tsl_send_reply("484", "Address Incomplete");
\t\texit;
\t}
\tif (uri != myself) {
\t\tsl_send_reply("403", "Relaying Forbidden");
\t\texit;
\t}
\troute(LOCATION);
}

route[REQINIT] {
\tforce_rport();
\tif (!mf_process_maxfwd_header("10")) {
\t\tsl_send_reply("483", "Too Many Hops");
\t\texit;
\t}
\tif (is_method("OPTIONS") && uri == myself && $rU == $null) {
\t\tsl_send_reply("200", "Keepalive");
\t\texit;
\t}
\tif (!sanity_check("17895", "7")) {
\t\txlog("L_WARN", "malformed request from $si:$sp\\n");
\t\texit;
\t}
}

route[NATDETECT] {
\tif (nat_uac_test("19")) {
\t\tif (is_method("REGISTER")) {
\t\t\tfix_nated_register();
\t\t} else if (is_first_hop()) {
\t\t\tfix_nated_contact();
\t\t}
\t\tsetflag(FLT_NATS);
\t}
}

route[EXTRA] {
${c.extraRoute?.trim() ? c.extraRoute : '\treturn;'}
}

route[WITHINDLG] {
\tif (!has_totag()) return;
\tif (loose_route()) {
\t\tif (is_method("NOTIFY")) record_route();
\t\troute(RELAY);
\t\texit;
\t}
\tif (is_method("ACK")) {
\t\t# ACK for a non-2xx final response: hop-by-hop, matched to the INVITE transaction
\t\tif (t_check_trans()) route(RELAY);
\t\texit;
\t}
\tsl_send_reply("404", "Not here");
\texit;
}

route[AUTH] {
\tif (is_method("REGISTER") || from_uri == myself) {
\t\tif (!pv_auth_check(${quoted(c.domain)}, "$sht(users=>$au)", "0", "1")) {
\t\t\tauth_challenge(${quoted(c.domain)}, "1");
\t\t\texit;
\t\t}
\t\tif (!is_method("REGISTER|PUBLISH")) consume_credentials();
\t}
}

route[REGISTRAR] {
\tif (!is_method("REGISTER")) return;
\tif (isflagset(FLT_NATS)) {
\t\tsetbflag(FLB_NATB);
\t\tsetbflag(FLB_NATSIPPING);
\t}
\t# save() sends the reply itself, errors included (e.g. 423 with Min-Expires): no second reply here
\tsave("location");
\texit;
}

route[LOCATION] {
\tif ($sht(users=>$rU) == $null) {
\t\tsl_send_reply("404", "Not Found");
\t\texit;
\t}
\tif (!lookup("location")) {
\t\t$var(rc) = $rc;
\t\tt_newtran();
\t\tswitch ($var(rc)) {
\t\t\tcase -2:
\t\t\t\tsend_reply("405", "Method Not Allowed");
\t\t\t\texit;
\t\t\tdefault:
\t\t\t\tsend_reply("480", "Temporarily Unavailable");
\t\t\t\texit;
\t\t}
\t}
\troute(RELAY);
}

route[RELAY] {
\tif (!t_is_set("onreply_route")) t_on_reply("MANAGE_REPLY");
\tif (is_method("INVITE") && !t_is_set("failure_route")) t_on_failure("MANAGE_FAILURE");
\tif (!t_relay()) sl_reply_error();
\texit;
}

onreply_route[MANAGE_REPLY] {
\txlog("L_INFO", "RPL $rs $rr for $rm from $proto:$si:$sp\\n");
\tif (status =~ "[12][0-9][0-9]" && (isbflagset(FLB_NATB) || nat_uac_test("1"))) fix_nated_contact();
}

failure_route[MANAGE_FAILURE] {
\tif (t_is_canceled()) exit;
}

${c.extraConfig ?? ''}
`;
}

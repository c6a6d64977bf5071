/**
 * Kamailio's RPC interface as the `kamcmd` command line prints it (the `ctl` module's binrpc socket).
 *
 * kamcmd prints structures as indented `Key: value` lines with `Key: {` … `}` for nested structures
 * and a repeated key for each array element, e.g. `ul.lookup location alice`:
 *
 *   {
 *   	AoR: alice
 *   	Contacts: {
 *   		Contact: {
 *   			Address: sip:alice-0x5636@127.0.0.1:35770
 *   			Expires: 58
 *   			…
 *
 * A failed command prints `error: <code> - <reason>` (and still exits 0).
 */
import { run } from './processes.ts';

/** A parsed kamcmd structure: keys keep their order and may repeat (array elements). */
export interface RpcStruct {
  entries: Array<[string, RpcValue]>;
}
export type RpcValue = string | RpcStruct;

export type RpcResult = { ok: true; value: RpcValue } | { ok: false; code: number; reason: string };

/** Run one RPC command through kamcmd against a ctl socket (`unix:/path`). */
export async function kamcmd(
  ctlSocket: string,
  command: string,
  args: readonly string[] = [],
): Promise<RpcResult> {
  // kamcmd sends an all-digit argument as an integer; RPC string parameters (an AoR like `1000`)
  // must be forced to strings with its `s:` prefix.
  const typed = args.map((a) => (/^-?\d+$/.test(a) ? `s:${a}` : a));
  const result = await run('kamcmd', ['-s', ctlSocket, command, ...typed], { timeoutMs: 10_000 });
  const output = `${result.stdout}${result.stderr}`;
  const error = /^error: (\d+) - (.*)$/m.exec(output);
  if (error) return { ok: false, code: Number(error[1]), reason: (error[2] ?? '').trim() };
  if (result.code !== 0) return { ok: false, code: -1, reason: output.trim() };
  return { ok: true, value: parseKamcmdOutput(result.stdout) };
}

/** Parse kamcmd's printout. A bare scalar result comes back as a string. */
export function parseKamcmdOutput(text: string): RpcValue {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return '';
  if (lines[0] !== '{') return lines.join('\n');
  let index = 1;
  const parseStruct = (): RpcStruct => {
    const entries: Array<[string, RpcValue]> = [];
    while (index < lines.length) {
      const line = lines[index++] ?? '';
      if (line === '}') return { entries };
      const colon = line.indexOf(':');
      if (colon < 0) {
        entries.push(['', line]);
        continue;
      }
      const key = line.slice(0, colon);
      const rest = line.slice(colon + 1).trim();
      entries.push([key, rest === '{' ? parseStruct() : rest]);
    }
    return { entries };
  };
  return parseStruct();
}

/** The first value under `key` in a struct. */
export function field(value: RpcValue | undefined, key: string): RpcValue | undefined {
  if (value === undefined || typeof value === 'string') return undefined;
  return value.entries.find(([k]) => k === key)?.[1];
}

/** All values under `key` (array elements are repeated keys). */
export function fields(value: RpcValue | undefined, key: string): RpcValue[] {
  if (value === undefined || typeof value === 'string') return [];
  return value.entries.filter(([k]) => k === key).map(([, v]) => v);
}

/** One registered contact of an address-of-record, as usrloc holds it. */
export interface Binding {
  aor: string;
  /** The Contact URI as registered (not rewritten: NAT fixing stores the source in `received`). */
  contact: string;
  /** Seconds left. */
  expires: number;
  /** Source address of the REGISTER when the registrar saw NAT (`sip:ip:port;transport=…`), else undefined. */
  received: string | undefined;
  path: string | undefined;
  /** Local socket the REGISTER came in on, e.g. `udp:127.0.0.1:5060`. */
  socket: string;
  callId: string;
  cseq: number;
  userAgent: string;
  /** `+sip.instance` (RFC 5626) or undefined. */
  instance: string | undefined;
  regId: number;
  q: number;
  /** Branch flags stored with the contact (the NAT flag is among them). */
  cflags: number;
  /** TCP/TLS connection id the registration arrived on, -1 for UDP. */
  tcpConnectionId: number;
  methods: number;
  ruid: string;
  lastModified: number;
}

function text(value: RpcValue | undefined): string | undefined {
  if (typeof value !== 'string' || value === '[not set]') return undefined;
  return value;
}

function num(value: RpcValue | undefined): number {
  const parsed = Number(text(value));
  return Number.isFinite(parsed) ? parsed : NaN;
}

/** Bindings in an `ul.lookup`/`ul.dump` AoR structure (the one holding `AoR:` and `Contacts:`). */
export function bindingsOfAor(aorStruct: RpcValue): Binding[] {
  const aor = text(field(aorStruct, 'AoR')) ?? '';
  return fields(field(aorStruct, 'Contacts'), 'Contact').map((contact) => ({
    aor,
    contact: text(field(contact, 'Address')) ?? '',
    expires: num(field(contact, 'Expires')),
    received: text(field(contact, 'Received')),
    path: text(field(contact, 'Path')),
    socket: text(field(contact, 'Socket')) ?? '',
    callId: text(field(contact, 'Call-ID')) ?? '',
    cseq: num(field(contact, 'CSeq')),
    userAgent: text(field(contact, 'User-Agent')) ?? '',
    instance: text(field(contact, 'Instance')),
    regId: num(field(contact, 'Reg-Id')),
    q: num(field(contact, 'Q')),
    cflags: num(field(contact, 'CFlags')),
    tcpConnectionId: num(field(contact, 'Tcpconn-Id')),
    methods: num(field(contact, 'Methods')),
    ruid: text(field(contact, 'Ruid')) ?? '',
    lastModified: num(field(contact, 'Last-Modified')),
  }));
}

/** Every binding in an `ul.dump` printout. */
export function bindingsOfDump(dump: RpcValue): Binding[] {
  const out: Binding[] = [];
  for (const domain of fields(field(dump, 'Domains'), 'Domain')) {
    for (const info of fields(field(domain, 'AoRs'), 'Info')) out.push(...bindingsOfAor(info));
  }
  return out;
}

/**
 * SDP writer: RFC 8866 §5 line order, CRLF after every line (including the last), attributes exactly
 * as held in the description.
 */
import type {
  Attribute,
  Bandwidth,
  Connection,
  MediaDescription,
  Origin,
  SessionDescription,
} from './model.ts';

const CRLF = '\r\n';

export function buildSdp(sdp: SessionDescription): string {
  const out: string[] = [];
  out.push('v=0');
  out.push(`o=${formatOrigin(sdp.origin)}`);
  // RFC 8866 §5.3: the s= field "MUST NOT be empty"; "s= " is the recommended stand-in.
  out.push(`s=${sdp.sessionName === '' ? ' ' : sdp.sessionName}`);
  if (sdp.information !== undefined) out.push(`i=${sdp.information}`);
  if (sdp.uri !== undefined) out.push(`u=${sdp.uri}`);
  for (const e of sdp.emails) out.push(`e=${e}`);
  for (const p of sdp.phones) out.push(`p=${p}`);
  if (sdp.connection !== undefined) out.push(`c=${formatConnection(sdp.connection)}`);
  for (const b of sdp.bandwidths) out.push(`b=${formatBandwidth(b)}`);
  for (const t of sdp.timings) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  if (sdp.timeZones !== undefined) out.push(`z=${sdp.timeZones}`);
  if (sdp.encryptionKey !== undefined) out.push(`k=${sdp.encryptionKey}`);
  for (const a of sdp.attributes) out.push(`a=${formatAttribute(a)}`);
  for (const m of sdp.media) out.push(...mediaLines(m));
  return out.join(CRLF) + CRLF;
}

function mediaLines(m: MediaDescription): string[] {
  const out: string[] = [];
  const port = m.portCount === undefined ? `${m.port}` : `${m.port}/${m.portCount}`;
  out.push(`m=${[m.type, port, m.protocol, ...m.formats].join(' ')}`);
  if (m.information !== undefined) out.push(`i=${m.information}`);
  for (const c of m.connections) out.push(`c=${formatConnection(c)}`);
  for (const b of m.bandwidths) out.push(`b=${formatBandwidth(b)}`);
  if (m.encryptionKey !== undefined) out.push(`k=${m.encryptionKey}`);
  for (const a of m.attributes) out.push(`a=${formatAttribute(a)}`);
  return out;
}

export function formatOrigin(o: Origin): string {
  return `${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addressType} ${o.address}`;
}

export function formatConnection(c: Connection): string {
  let address = c.address;
  if (c.ttl !== undefined) address += `/${c.ttl}`;
  if (c.count !== undefined) address += `/${c.count}`;
  return `${c.netType} ${c.addressType} ${address}`;
}

function formatBandwidth(b: Bandwidth): string {
  return `${b.type}:${b.value}`;
}

function formatAttribute(a: Attribute): string {
  return a.value === undefined ? a.name : `${a.name}:${a.value}`;
}

/**
 * RFC 3263 §4.1: choosing a transport from the NAPTR records of a domain.
 *
 *   service   transport   notes
 *   SIP+D2U   udp
 *   SIP+D2T   tcp
 *   SIPS+D2T  tls         TLS over TCP; the only service a SIPS URI may use
 *   (D2S SCTP, D2W WebSocket and anything else: not supported here, discarded)
 */
import type { NaptrRecord } from '../../platform/index.ts';
import type { SipTransport } from './target.ts';

export interface SipNaptrService {
  readonly transport: SipTransport;
  /** The SRV name to query next (the NAPTR replacement). */
  readonly srvName: string;
  readonly order: number;
  readonly preference: number;
}

const SERVICES: ReadonlyMap<string, { readonly transport: SipTransport; readonly secure: boolean }> = new Map(
  [
    ['SIP+D2U', { transport: 'udp', secure: false }],
    ['SIP+D2T', { transport: 'tcp', secure: false }],
    ['SIPS+D2T', { transport: 'tls', secure: true }],
  ],
);

/**
 * The NAPTR services we will use, most preferred first. Empty when none applies, in which case RFC 3263
 * §4.1 continues as if no NAPTR records were found (SRV queries per transport).
 */
export function selectNaptrServices(
  records: readonly NaptrRecord[],
  secure: boolean,
  supported: readonly SipTransport[],
): SipNaptrService[] {
  const usable: SipNaptrService[] = [];
  for (const record of records) {
    const service = SERVICES.get(record.service.toUpperCase());
    if (service === undefined) continue;
    // RFC 3263 §4.1: "a client resolving a SIPS URI MUST discard any services that do not contain
    // "SIPS" as the protocol in the service field. The converse is not true, however. A client
    // resolving a SIP URI SHOULD retain records with "SIPS" as the protocol, if the client supports
    // TLS. Second, a client MUST discard any service fields that identify a resolution service whose
    // value is not "D2X", for values of X that indicate transport protocols supported by the client."
    if (secure && !service.secure) continue;
    if (!supported.includes(service.transport)) continue;
    // "The resource record will contain an empty regular expression and a replacement value, which is
    // the SRV record for that particular transport protocol" — so the flag must be "s".
    if (record.flags.toLowerCase() !== 's' || record.regexp !== '') continue;
    const srvName = record.replacement.replace(/\.$/, '');
    if (srvName === '') continue;
    usable.push({
      transport: service.transport,
      srvName,
      order: record.order,
      preference: record.preference,
    });
  }
  usable.sort((a, b) => a.order - b.order || a.preference - b.preference);
  // RFC 3403 §4.1 (the DDDS NAPTR that RFC 3263 builds on): "once a match is found the client must not
  // consider records with a different Order but they may process records with the same Order but
  // different Preferences", and "A client MAY look at records with higher preference values if it has a
  // good reason to do so". Every SIP record matches (empty regexp), so we use the applicable services
  // of the lowest order, by preference; failing to reach the first one is the good reason for the next.
  const lowest = usable[0]?.order;
  return usable.filter((s) => s.order === lowest);
}

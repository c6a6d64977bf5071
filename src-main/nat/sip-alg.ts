/**
 * SIP ALG detection: a router's "SIP helper" rewrites addresses inside SIP messages on their way out (and
 * often back in), which breaks registrations, authentication and audio in ways no log explains. We
 * compare what we sent with what the registrar echoed in its answer to REGISTER:
 *
 *   Via sent-by       A registrar copies the top Via into its response unchanged, adding `received`
 *                     and `rport` (RFC 3261 §18.2.1, RFC 3581 §4). Proxies never touch the client's
 *                     Via, so a different sent-by in the response means something on the path rewrote
 *                     our request and did not undo it.
 *   received          The source address the registrar saw. If it is one of our private addresses while
 *                     STUN shows we are behind a NAT, the response was rewritten on its way back in (the
 *                     registrar cannot have seen our private address).
 *   Contact           RFC 3261 §10.3: the 200 lists the bindings as stored. Our contact with another
 *                     host or port means it was rewritten — by an ALG, or by the registrar's own NAT
 *                     handling (Kamailio's fix_nated_contact). The second case looks the same, so a
 *                     changed Contact alone only counts when it took a value that is neither what we sent
 *                     nor our public address (an ALG that maps to the address it thinks is right), or
 *                     when the Via shows rewriting too.
 *   SDP               Where an echo of our SDP is available (a test peer that returns what it got), the
 *                     connection address and media port must be ours.
 *
 * "not-detected" is not a proof: an ALG that rewrites both ways consistently is invisible from here.
 */
import type { SipAlgStatus } from '../../src-shared/model/nat.ts';

export interface HostPort {
  host: string;
  port: number | undefined;
}

export interface SipAlgObservation {
  sent: {
    via: HostPort;
    contact: HostPort;
    sdp?: { address: string; port: number };
  };
  echoed: {
    /** The top Via of the response, with its received/rport parameters. */
    via?: HostPort & { received?: string; rport?: number };
    /** The Contact bindings in the REGISTER 200 (all of them; ours is found by host/port or `ownContactIndex`). */
    contacts?: HostPort[];
    /** Which of `contacts` is ours, when the caller could tell (e.g. by +sip.instance). */
    ownContactIndex?: number;
    sdp?: { address: string; port: number };
  };
  /** Our interface addresses. */
  localAddresses: readonly string[];
  /** Our public address from STUN, when known. */
  publicAddress?: { address: string; port: number } | null;
}

export type SipAlgEvidence =
  | { kind: 'via-rewritten'; sent: HostPort; echoed: HostPort }
  | { kind: 'received-is-private'; received: string }
  | { kind: 'contact-rewritten'; sent: HostPort; echoed: HostPort }
  | {
      kind: 'sdp-rewritten';
      sent: { address: string; port: number };
      echoed: { address: string; port: number };
    };

export interface SipAlgVerdict {
  status: SipAlgStatus;
  evidence: SipAlgEvidence[];
}

function sameHostPort(a: HostPort, b: HostPort, defaultPort: number): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && (a.port ?? defaultPort) === (b.port ?? defaultPort);
}

export function detectSipAlg(o: SipAlgObservation, defaultPort = 5060): SipAlgVerdict {
  const evidence: SipAlgEvidence[] = [];
  const via = o.echoed.via;
  if (via === undefined && o.echoed.contacts === undefined && o.echoed.sdp === undefined)
    return { status: 'unknown', evidence };

  const behindNat =
    o.publicAddress !== undefined &&
    o.publicAddress !== null &&
    !o.localAddresses.includes(o.publicAddress.address);
  if (via !== undefined) {
    if (!sameHostPort(via, o.sent.via, defaultPort))
      evidence.push({ kind: 'via-rewritten', sent: o.sent.via, echoed: { host: via.host, port: via.port } });
    if (via.received !== undefined && behindNat && o.localAddresses.includes(via.received)) {
      evidence.push({ kind: 'received-is-private', received: via.received });
    }
  }

  const contacts = o.echoed.contacts;
  if (contacts !== undefined && contacts.length > 0) {
    const ours =
      o.echoed.ownContactIndex !== undefined
        ? contacts[o.echoed.ownContactIndex]
        : contacts.length === 1
          ? contacts[0]
          : undefined;
    const unchanged = contacts.some((c) => sameHostPort(c, o.sent.contact, defaultPort));
    if (ours !== undefined && !unchanged) {
      const toPublic =
        (o.publicAddress !== undefined &&
          o.publicAddress !== null &&
          ours.host === o.publicAddress.address) ||
        (via?.received !== undefined && ours.host === via.received);
      const viaRewritten = evidence.some(
        (e) => e.kind === 'via-rewritten' || e.kind === 'received-is-private',
      );
      if (!toPublic || viaRewritten)
        evidence.push({ kind: 'contact-rewritten', sent: o.sent.contact, echoed: ours });
    }
  }

  const sentSdp = o.sent.sdp;
  const echoedSdp = o.echoed.sdp;
  if (
    sentSdp !== undefined &&
    echoedSdp !== undefined &&
    (sentSdp.address !== echoedSdp.address || sentSdp.port !== echoedSdp.port)
  ) {
    evidence.push({ kind: 'sdp-rewritten', sent: sentSdp, echoed: echoedSdp });
  }
  return { status: evidence.length > 0 ? 'detected' : 'not-detected', evidence };
}

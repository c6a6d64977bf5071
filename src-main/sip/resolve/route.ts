/**
 * Which URI a request is sent towards (RFC 3261 §8.1.2, §12.2.1.1, §16.12), and the outbound proxy.
 *
 * Works on already-parsed URIs of any shape that carries the few fields routing reads, and hands the
 * same objects back, so the caller keeps its full URIs (user part, other parameters) untouched.
 */
import type { SipTarget, SipTransport } from './target.ts';

/** The fields routing needs from a SIP URI. */
export interface RoutableUri {
  readonly host: string;
  readonly port?: number;
  readonly transport?: SipTransport;
  readonly secure: boolean;
  /** The `lr` URI parameter: a loose router (RFC 3261 §19.1.1). */
  readonly lr: boolean;
  readonly maddr?: string;
}

export interface RequestRouting<U extends RoutableUri> {
  /** The Request-URI to send. */
  readonly requestUri: U;
  /** The Route header field values, in order. */
  readonly routes: readonly U[];
  /** The URI RFC 3263 resolution is applied to. */
  readonly nextHop: U;
  /** `nextHop` as resolver input (SIPS when the Request-URI is SIPS). */
  readonly target: SipTarget;
  /** The first route was a strict router (RFC 2543 style), so the Request-URI was rewritten. */
  readonly strictRouting: boolean;
}

/** A URI as resolver input; `secure` forced when the Request-URI is SIPS. */
export function targetOf(uri: RoutableUri, requestUriSecure = false): SipTarget {
  return {
    host: uri.host,
    secure: uri.secure || requestUriSecure,
    ...(uri.port === undefined ? {} : { port: uri.port }),
    ...(uri.transport === undefined ? {} : { transport: uri.transport }),
    ...(uri.maddr === undefined ? {} : { maddr: uri.maddr }),
  };
}

/**
 * Request-URI, Route set and next hop for a request to `remoteTarget` with `routeSet` (a dialog's route
 * set or a pre-existing one; RFC 3261 §8.1.1.1 applies the same rules outside dialogs).
 *
 * For a strict first route the caller must strip from the new Request-URI "any parameters that are not
 * allowed in a Request-URI" (RFC 3261 §12.2.1.1) — this function only moves URIs around.
 */
export function routeRequest<U extends RoutableUri>(
  remoteTarget: U,
  routeSet: readonly U[],
): RequestRouting<U> {
  const [first, ...rest] = routeSet;
  if (first === undefined) {
    // RFC 3261 §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
    // Request-URI. The UAC MUST NOT add a Route header field to the request."
    return routing(remoteTarget, [], remoteTarget, false);
  }
  if (first.lr) {
    // "If the route set is not empty, and the first URI in the route set contains the lr parameter, the
    // UAC MUST place the remote target URI into the Request-URI and MUST include a Route header field
    // containing the route set values in order, including all parameters."
    // RFC 3261 §8.1.2: the destination is found by applying RFC 3263 "to the first Route header field
    // value in the request (if one exists)".
    return routing(remoteTarget, [...routeSet], first, false);
  }
  // "If the route set is not empty, and its first URI does not contain the lr parameter, the UAC MUST
  // place the first URI from the route set into the Request-URI [...]. The UAC MUST add a Route header
  // field containing the remainder of the route set values in order, including all parameters. The UAC
  // MUST then place the remote target URI into the Route header field as the last value."
  // RFC 3261 §8.1.2: "If the first element in the route set indicated a strict router [...], the
  // procedures MUST be applied to the Request-URI of the request."
  return routing(first, [...rest, remoteTarget], first, true);
}

function routing<U extends RoutableUri>(
  requestUri: U,
  routes: U[],
  nextHop: U,
  strictRouting: boolean,
): RequestRouting<U> {
  // RFC 3261 §8.1.2: "Independent of which URI is used as input to the procedures of [RFC 3263], if the
  // Request-URI specifies a SIPS resource, the UAC MUST follow the procedures of [RFC 3263] as if the
  // input URI were a SIPS URI."
  return { requestUri, routes, nextHop, target: targetOf(nextHop, requestUri.secure), strictRouting };
}

export interface OutboundProxyConfig<U extends RoutableUri> {
  /** The configured outbound proxy, if any. */
  readonly outboundProxy?: U;
  /**
   * Also send requests that already have a route set (in-dialog requests) to the outbound proxy rather
   * than to their first Route. RFC 3261 §8.1.2 allows it towards "any server that the UA is certain will
   * honor the Route and Request-URI policies"; needed when only the proxy is reachable (NAT, firewall).
   */
  readonly outboundProxyForRoutedRequests?: boolean;
}

/**
 * Routing with an outbound proxy taken into account. The Request-URI is never the proxy:
 *
 *   - proxy with `lr`, no route set: the proxy becomes a pre-existing route set of one URI — RFC 3261
 *     §8.1.2: "a pre-existing route set with a single URI SHOULD be used" (Route: <proxy;lr>).
 *   - proxy without `lr`, no route set: sent to the proxy without a Route header, the "alternate set of
 *     destinations" of RFC 3261 §8.1.2 ("there are no restrictions on the alternate destinations if the
 *     request contains no Route header field"). Treating a configured proxy without `lr` as a strict
 *     router would overwrite the Request-URI, which is never what a user configuring a proxy means.
 *   - a route set exists: normal routing, unless `outboundProxyForRoutedRequests`, which keeps the
 *     Request-URI and Route headers and sends to the proxy.
 *
 * In every case "If the Request-URI contains a SIPS URI, any alternate destinations MUST be contacted
 * with TLS" (RFC 3261 §8.1.2).
 */
export function routeRequestWithOutboundProxy<U extends RoutableUri>(
  config: OutboundProxyConfig<U>,
  remoteTarget: U,
  routeSet: readonly U[],
): RequestRouting<U> {
  const proxy = config.outboundProxy;
  if (proxy === undefined) return routeRequest(remoteTarget, routeSet);
  if (routeSet.length === 0 && proxy.lr) return routeRequest(remoteTarget, [proxy]);
  if (routeSet.length > 0 && !config.outboundProxyForRoutedRequests)
    return routeRequest(remoteTarget, routeSet);
  const normal = routeRequest(remoteTarget, routeSet);
  return { ...normal, nextHop: proxy, target: targetOf(proxy, normal.requestUri.secure) };
}

/**
 * The bridge between parsed URIs (sip/syntax) and sip/resolve's routing and RFC 3263 input: loose/strict
 * routing of requests (RFC 3261 §8.1.2, §12.2.1.1) with the outbound proxy, as sip/dialog's DialogRouter
 * and for out-of-dialog requests.
 */
import { routeRequest, routeRequestWithOutboundProxy, targetOf } from '../resolve/index.ts';
import type { OutboundProxyConfig, RoutableUri, SipTarget, SipTransport } from '../resolve/index.ts';
import { NO_PARAMS, formatUri } from '../syntax/index.ts';
import type { NameAddr, SipUri, Uri } from '../syntax/index.ts';
import type { DialogRouter, DialogRouting } from '../dialog/index.ts';

/** A route entry as sip/resolve sees it, carrying the NameAddr it came from. */
interface RouteEntry extends RoutableUri {
  readonly entry: NameAddr;
}

const TRANSPORTS: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls']);

/** The routing fields of a SIP URI, or undefined for a non-SIP URI (tel:, urn:… cannot be routed). */
export function routableOf(uri: Uri): RoutableUri | undefined {
  if (uri.kind !== 'sip') return undefined;
  const transport = uri.params.get('transport')?.toLowerCase();
  const maddr = uri.params.get('maddr');
  return {
    host: uri.host,
    ...(uri.port !== undefined && { port: uri.port }),
    ...(transport !== undefined && TRANSPORTS.has(transport) && { transport: transport as SipTransport }),
    secure: uri.scheme === 'sips',
    lr: uri.params.has('lr'),
    ...(maddr !== undefined && maddr !== null && { maddr }),
  };
}

/** RFC 3263 input for a URI (SIPS forced when the Request-URI is SIPS, §8.1.2). */
export function sipTargetOf(uri: Uri, requestUriSecure = false): SipTarget | undefined {
  const r = routableOf(uri);
  return r === undefined ? undefined : targetOf(r, requestUriSecure);
}

function entryOf(entry: NameAddr): RouteEntry | undefined {
  const r = routableOf(entry.uri);
  return r === undefined ? undefined : { ...r, entry };
}

/**
 * RFC 3261 §12.2.1.1, strict router case: "the UAC MUST place the first URI from the route set into the
 * Request-URI, stripping any parameters that are not allowed in a Request-URI." §19.1.1's table allows
 * every URI parameter in a Request-URI except `method`, and no headers.
 */
export function stripForRequestUri(uri: Uri): Uri {
  if (uri.kind !== 'sip' || (!uri.params.has('method') && uri.headers.length === 0)) return uri;
  const params = new Map(uri.params);
  params.delete('method');
  const stripped: SipUri = { ...uri, params, headers: [] };
  return stripped;
}

function toRouting(requestUri: Uri, routes: readonly NameAddr[], nextHop: Uri): DialogRouting {
  return { requestUri, routes, nextHop };
}

/**
 * sip/dialog's router: sip/resolve's routeRequest on the dialog's remote target and route set. A route
 * set or target that is not SIP cannot be routed by these rules; it is passed through unchanged (the
 * request then goes to its Request-URI).
 */
export const routeDialogRequest: DialogRouter = (remoteTarget, routeSet) =>
  routeWith(undefined, remoteTarget, routeSet);

/** The same with an outbound proxy (sip/resolve's routeRequestWithOutboundProxy). */
export function routeWith(
  proxy: OutboundProxyConfig<RouteEntry> | undefined,
  remoteTarget: Uri,
  routeSet: readonly NameAddr[],
): DialogRouting {
  const target = entryOf({ uri: remoteTarget, params: NO_PARAMS });
  const entries = routeSet.map(entryOf);
  if (target === undefined || entries.some((e) => e === undefined)) {
    return toRouting(remoteTarget, routeSet, routeSet[0]?.uri ?? remoteTarget);
  }
  const routable = entries as RouteEntry[];
  const r =
    proxy === undefined
      ? routeRequest(target, routable)
      : routeRequestWithOutboundProxy(proxy, target, routable);
  if (!r.strictRouting)
    return toRouting(
      r.requestUri.entry.uri,
      r.routes.map((e) => e.entry),
      r.nextHop.entry.uri,
    );
  // Strict: the first route is the Request-URI and the next hop (§8.1.2 applies RFC 3263 to it).
  const requestUri = stripForRequestUri(r.requestUri.entry.uri);
  return toRouting(
    requestUri,
    r.routes.map((e) => e.entry),
    r.nextHop === r.requestUri ? requestUri : r.nextHop.entry.uri,
  );
}

/** An outbound proxy URI as routing configuration. */
export function outboundProxyConfig(
  proxy: SipUri | undefined,
  forRoutedRequests = false,
): OutboundProxyConfig<RouteEntry> | undefined {
  if (proxy === undefined) return undefined;
  const entry = entryOf({ uri: proxy, params: NO_PARAMS });
  if (entry === undefined) throw new Error(`outbound proxy ${formatUri(proxy)} is not a SIP URI`);
  return { outboundProxy: entry, outboundProxyForRoutedRequests: forRoutedRequests };
}

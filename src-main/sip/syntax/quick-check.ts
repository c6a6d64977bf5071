/**
 * Fast syntax checks for the headers parseMessage validates eagerly. Each is a regular expression
 * for the common, plain form of a header (no IPv6, no quoted parameter values, no comments, no
 * URI headers, single spaces) — irregexp runs it as native code, several times faster than the full
 * parser, and builds no objects. When it matches, the header is valid; when it does not, the full
 * parser decides (and explains). So each pattern must accept only values the full parser accepts;
 * test/unit/sip/syntax/quick-check.test.ts checks that on the corpora and on mutated values.
 *
 * Every repetition below is separated by a literal that the repeated part cannot contain (".",
 * ";", " "), so matching stays linear in the length of the value (no catastrophic backtracking).
 */

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
/** Parameter names in lower case only: an upper-case "Received" goes to the full parser. */
const LOWER_TOKEN = "[a-z0-9\\-.!%*_+`'~]+";
const WSP = '[ \\t]*';
const LABEL = '[A-Za-z0-9]+(?:[-_]+[A-Za-z0-9]+)*';
const TOPLABEL = '[A-Za-z][A-Za-z0-9]*(?:[-_]+[A-Za-z0-9]+)*';
const OCTET = '(?:25[0-5]|2[0-4]\\d|[01]?\\d?\\d)';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
const HOST = `(?:(?:${LABEL}\\.)*${TOPLABEL}\\.?|${IPV4})`;
const PORT = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|\\d{1,4})';
const NONZERO_PORT = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})';
const ESCAPED = '%[0-9A-Fa-f]{2}';
const USER = `(?:[A-Za-z0-9\\-_.!~*'()&=+$,;?/]|${ESCAPED})+`;
const PASSWORD = `(?:[A-Za-z0-9\\-_.!~*'()&=+$,]|${ESCAPED})*`;
const PARAMCHARS = `(?:[A-Za-z0-9\\-_.!~*'()\\[\\]/:&+$]|${ESCAPED})+`;
const SIP_URI = `sips?:(?:${USER}(?::${PASSWORD})?@)?${HOST}(?::${PORT})?(?:;${PARAMCHARS}(?:=${PARAMCHARS})?)*`;
/** A SIP URI outside <>: it ends at the first ";" and may not contain "?" or "," (RFC 3261 §20.10). */
const BARE_SIP_URI = `sips?:(?:(?:[A-Za-z0-9\\-_.!~*'()&=+$/]|${ESCAPED})+(?::(?:[A-Za-z0-9\\-_.!~*'()&=+$]|${ESCAPED})*)?@)?${HOST}(?::${PORT})?`;
const QUOTED = '"(?:[^"\\\\\\x00-\\x08\\x0a-\\x1f\\x7f]|\\\\[\\x00-\\x09\\x0b\\x0c\\x0e-\\x7f])*"';
const SEMI = `${WSP};${WSP}`;
const EQUAL = `${WSP}=${WSP}`;

/**
 * via-parm with transport in upper case, a host name or IPv4 sent-by, and parameters: branch
 * (token), received (IPv4), rport (with or without a port), others with token values. maddr and
 * ttl go to the full parser.
 */
const VIA = new RegExp(
  `^SIP/2\\.0/(?:UDP|TCP|TLS|SCTP|WS|WSS) ${HOST}(?::${PORT})?` +
    `(?:${SEMI}(?:branch${EQUAL}${TOKEN}|received${EQUAL}${IPV4}|rport(?:${EQUAL}${NONZERO_PORT})?` +
    `|(?!(?:branch|received|rport|maddr|ttl)${WSP}(?:[;=]|$))${LOWER_TOKEN}(?:${EQUAL}${TOKEN})?))*$`,
);

/** name-addr or addr-spec with a SIP/SIPS URI, and token-valued parameters (tag must have a value). */
const NAME_ADDR = new RegExp(
  `^(?:(?:(?:${QUOTED}|${TOKEN}(?:[ \\t]+${TOKEN})*)${WSP})?<${SIP_URI}>|${BARE_SIP_URI})` +
    `(?:${SEMI}(?:tag${EQUAL}${TOKEN}|(?!tag${WSP}(?:;|$))${LOWER_TOKEN}(?:${EQUAL}${TOKEN})?))*$`,
);

/** callid = word [ "@" word ] */
const CALL_ID = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;

/** One Via value (not a comma list) in its plain form. */
export function quickVia(value: string): boolean {
  return VIA.test(value);
}

/** A From/To value in its plain name-addr form. */
export function quickNameAddr(value: string): boolean {
  return NAME_ADDR.test(value);
}

export function quickCallId(value: string): boolean {
  return CALL_ID.test(value);
}

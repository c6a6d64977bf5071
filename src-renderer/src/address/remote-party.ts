/**
 * The other party of a call or a contact address, as people read and dial it. `sip:+4930123@pbx` is a
 * phone number (`+4930123`); `sip:alice@example.com` is a SIP address (shown without `sip:`);
 * `tel:` URIs are numbers.
 */
import { formatDialString, stripNumberFormatting } from './phone-number.ts';

/** The user part of a sip:/sips: URI and the rest, or null for anything else. */
function sipParts(uri: string): { scheme: string; user: string | null; host: string } | null {
  const match = /^(sips?):(?:([^@;?]*)@)?([^;?]*)/i.exec(uri.trim());
  if (!match) return null;
  return { scheme: (match[1] ?? 'sip').toLowerCase(), user: match[2] ?? null, host: match[3] ?? '' };
}

/** Whether a SIP user part is a telephone number (RFC 3261 §19.1.1 `user=phone` style). */
function isNumberUser(user: string): boolean {
  return /^\+?[0-9*#().\- ]+$/.test(decodeURIComponentSafe(user)) && /\d/.test(user);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A caller who hid their identity (RFC 3323): nothing to call back. */
export function isAnonymousUri(uri: string): boolean {
  const parts = sipParts(uri);
  return parts !== null && (parts.user?.toLowerCase() === 'anonymous' || /\.invalid$/i.test(parts.host));
}

/**
 * What to put in the dial pad to reach `uri` again: the number for a telephone number, the SIP URI as
 * it is otherwise; empty for an anonymous caller.
 */
export function dialStringOfUri(uri: string): string {
  const trimmed = uri.trim();
  if (/^tel:/i.test(trimmed)) return stripNumberFormatting(trimmed);
  if (isAnonymousUri(trimmed)) return '';
  const parts = sipParts(trimmed);
  if (parts?.user && isNumberUser(parts.user))
    return stripNumberFormatting(decodeURIComponentSafe(parts.user));
  return trimmed;
}

/** How `uri` is shown: a number formatted, a SIP address without its scheme and parameters. */
export function displayAddressOfUri(uri: string): string {
  const trimmed = uri.trim();
  const dial = dialStringOfUri(trimmed);
  if (dial && !/^sips?:/i.test(dial)) return formatDialString(dial);
  const parts = sipParts(trimmed);
  if (!parts) return trimmed;
  const address = parts.user ? `${decodeURIComponentSafe(parts.user)}@${parts.host}` : parts.host;
  return parts.scheme === 'sips' ? `sips:${address}` : address;
}

/** The kind of a contact address that reaches `dial` (a dial string). */
export function addressKindOf(dial: string): 'sip' | 'tel' {
  return /^sips?:|@/i.test(dial) ? 'sip' : 'tel';
}

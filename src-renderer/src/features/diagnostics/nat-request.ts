/**
 * The NAT check's optional fields (under "Advanced"): a SIP domain whose DNS names the STUN/TURN
 * servers, STUN servers, one TURN server with its credentials, and whether to measure how long the NAT
 * keeps an idle binding (up to a minute). They become a `NatCheckRequest`, checked with the contract's
 * schema; problems are shown at their field.
 */
import { NatCheckRequest } from '../../../../src-shared/model/nat.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';

export interface NatCheckForm {
  domain: string;
  /** STUN servers separated by spaces, commas or new lines; `host[:port]` gets `stun:` in front. */
  stun: string;
  turnUri: string;
  turnUsername: string;
  turnPassword: string;
  lifetime: boolean;
}

export type NatCheckField = 'domain' | 'stun' | 'turnUri' | 'turnUsername' | 'turnPassword';
export type NatCheckFormErrors = Partial<Record<NatCheckField, LocalizedMessage>>;

export const EMPTY_NAT_CHECK_FORM: Readonly<NatCheckForm> = {
  domain: '',
  stun: '',
  turnUri: '',
  turnUsername: '',
  turnPassword: '',
  lifetime: true,
};

export function stunServersOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => (/^stuns?:/i.test(s) ? s : `stun:${s}`));
}

function turnUriOf(text: string): string {
  const trimmed = text.trim();
  return /^turns?:/i.test(trimmed) ? trimmed : `turn:${trimmed}`;
}

export type NatCheckFormCheck =
  { ok: true; request: NatCheckRequest } | { ok: false; errors: NatCheckFormErrors };

export function natCheckRequestOf(form: NatCheckForm): NatCheckFormCheck {
  const request: Record<string, unknown> = { lifetime: form.lifetime };
  const domain = form.domain.trim().replace(/\.$/, '');
  if (domain) request.domain = domain;
  const stun = stunServersOf(form.stun);
  if (stun.length > 0) request.stun = stun;
  const errors: NatCheckFormErrors = {};
  if (form.turnUri.trim()) {
    request.turn = [
      { uri: turnUriOf(form.turnUri), username: form.turnUsername.trim(), password: form.turnPassword },
    ];
  } else if (form.turnUsername.trim() || form.turnPassword) {
    errors.turnUri = { key: 'diagnostics.nat.form.errors.turnMissing' };
  }

  const parsed = NatCheckRequest.safeParse(request);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, request: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [field, index, part] = issue.path;
    if (field === 'domain') errors.domain ??= { key: 'diagnostics.nat.form.errors.domain' };
    else if (field === 'stun') {
      errors.stun ??=
        typeof index === 'number'
          ? { key: 'diagnostics.nat.form.errors.stun', params: { value: stun[index] ?? '' } }
          : { key: 'diagnostics.nat.form.errors.tooManyStun', params: { max: 8 } };
    } else if (field === 'turn' && part === 'username') {
      errors.turnUsername ??= { key: 'diagnostics.nat.form.errors.tooLong', params: { max: 256 } };
    } else if (field === 'turn' && part === 'password') {
      errors.turnPassword ??= { key: 'diagnostics.nat.form.errors.tooLong', params: { max: 256 } };
    } else {
      errors.turnUri ??= { key: 'diagnostics.nat.form.errors.turn' };
    }
  }
  return { ok: false, errors };
}

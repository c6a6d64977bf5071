/**
 * The NAT report's plain-words statements in the UI's language. Each statement carries an i18n key under
 * `nat.` and its parameters (src-main/nat/explanation.ts); the catalogues hold every key the phone can
 * produce (a component test cross-checks them). A key this renderer does not know — a newer phone —
 * falls back to the English text the statement also carries.
 *
 * Two parameters are words rather than values and are translated here: `device` ("NAT" or "firewall")
 * and `transport` (shown in capitals).
 */
import type { NatReport, NatStatement } from '../../../../src-shared/model/nat.ts';
import { assertNever } from '../../../../src-shared/util/emitter.ts';
import { isMessageKey, type MessageParams, type UiMessages } from '../../i18n/index.ts';

function paramsOf(statement: NatStatement, t: UiMessages['t']): MessageParams {
  const params: Record<string, string | number> = { ...statement.params };
  if (params.device === 'NAT') params.device = t('diagnostics.nat.devices.nat');
  else if (params.device === 'firewall') params.device = t('diagnostics.nat.devices.firewall');
  if (typeof params.transport === 'string') params.transport = params.transport.toUpperCase();
  return params;
}

/** The statement in the UI's language (its English text when the key is unknown here). */
export function natStatementText(statement: NatStatement, t: UiMessages['t']): string {
  return isMessageKey(statement.key) ? t(statement.key, paramsOf(statement, t)) : statement.text;
}

/** The statement that gives the verdict, shown first and large; null when the check tested nothing. */
export function verdictStatementOf(report: NatReport): NatStatement | null {
  return report.explanation.find((s) => s.key.startsWith('nat.verdict.')) ?? null;
}

/** Everything else the report says, in its order. */
export function detailStatementsOf(report: NatReport): NatStatement[] {
  const verdict = verdictStatementOf(report);
  return report.explanation.filter((s) => s !== verdict);
}

/** How the verdict is coloured. */
export type VerdictTone = 'good' | 'warning' | 'bad' | 'neutral';

export function verdictToneOf(report: NatReport): VerdictTone {
  switch (report.verdict) {
    case 'direct-likely':
    case 'direct-possible':
      return 'good';
    case 'relay-required':
      return report.policy.turnServer ? 'warning' : 'bad';
    case 'blocked':
      return 'bad';
    case 'unknown':
      return 'neutral';
    default:
      return assertNever(report.verdict, 'NAT verdict');
  }
}

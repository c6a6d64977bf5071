export { default as DiagnosticsView } from './DiagnosticsView.vue';
export { hostLabelKey } from './host-label.ts';
export {
  natStatementText,
  verdictStatementOf,
  detailStatementsOf,
  verdictToneOf,
  type VerdictTone,
} from './nat-statement.ts';
export {
  natCheckRequestOf,
  stunServersOf,
  EMPTY_NAT_CHECK_FORM,
  type NatCheckForm,
  type NatCheckField,
  type NatCheckFormErrors,
  type NatCheckFormCheck,
} from './nat-request.ts';
export { default as DiagnosticsNatVerdict } from './DiagnosticsNatVerdict.vue';

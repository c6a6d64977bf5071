export { default as DiagnosticsView } from './DiagnosticsView.vue';
export { hostLabelKey } from './host-label.ts';

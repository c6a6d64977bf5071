export { default as ShellNav } from './ShellNav.vue';
export { default as ShellStatusStrip } from './ShellStatusStrip.vue';
export { default as ShellConnectionBanner } from './ShellConnectionBanner.vue';
export { useWindowRequests } from './use-window-requests.ts';

export { default as OnboardingView } from './OnboardingView.vue';
export { default as OnboardingWelcome } from './OnboardingWelcome.vue';
export {
  setupOutcomeOf,
  transportOfDiscovery,
  targetAddressOf,
  discoveryNotesOf,
  natCheckDomainOf,
  type SetupOutcome,
} from './onboarding-flow.ts';

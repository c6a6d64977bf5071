import { command } from '../define.ts';
import { DiscoverRequest, Discovery } from '../../model/onboarding.ts';

export const onboardingCommands = {
  'onboarding.discover': command(
    'Look up a SIP domain before adding an account: its SIP servers (RFC 3263, every transport) and the STUN/TURN servers it publishes (DNS SRV). Bounded in time; nothing is sent to the servers.',
    DiscoverRequest,
    Discovery,
  ),
} as const;

export const onboardingEvents = {} as const;

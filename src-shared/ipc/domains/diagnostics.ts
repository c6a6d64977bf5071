import { z } from 'zod';
import { command, event } from '../define.ts';
import { NatCheckProgress, NatCheckRequest, NatReport } from '../../model/nat.ts';

export const diagnosticsCommands = {
  'diagnostics.run': command(
    'Test the STUN/TURN servers of a SIP domain and the configured ones, find the NAT behaviour and explain it; answers the report.',
    NatCheckRequest,
    NatReport,
  ),
  'diagnostics.lastReport': command(
    'The most recent NAT report of an account (or of checks without one); null when none was made yet.',
    z.strictObject({ accountId: z.string().min(1).max(100).optional() }),
    NatReport.nullable(),
  ),
} as const;

export const diagnosticsEvents = {
  'diagnostics.progress': event('One step of a running NAT check, in plain words.', NatCheckProgress),
  'diagnostics.report': event('A finished NAT check (also after a network change re-ran it).', NatReport),
} as const;

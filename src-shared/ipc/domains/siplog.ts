import { z } from 'zod';
import { command, event, NoArgs } from '../define.ts';
import {
  SipLogBatch,
  SipLogCalls,
  SipLogEntries,
  SipLogExport,
  SipLogExportRequest,
  SipLogQuery,
  SipLogStatus,
} from '../../model/siplog.ts';

export const siplogCommands = {
  'siplog.recent': command(
    'The newest captured SIP messages (redacted) that match the filter, oldest first.',
    SipLogQuery,
    SipLogEntries,
  ),
  'siplog.calls': command(
    'The Call-IDs in the SIP log (calls, registrations, other requests) with times, parties and final status, newest first.',
    NoArgs,
    SipLogCalls,
  ),
  'siplog.export': command(
    'The SIP log (or one Call-ID / account) as text (timestamps, direction, addresses, full redacted messages) or JSON.',
    SipLogExportRequest,
    SipLogExport,
  ),
  'siplog.clear': command('Forget every captured SIP message; answers the new status.', NoArgs, SipLogStatus),
  'siplog.setEnabled': command(
    'Turn SIP message capture on or off (on by default; the log is only ever kept in memory); answers the status.',
    z.strictObject({ enabled: z.boolean() }),
    SipLogStatus,
  ),
  'siplog.status': command('Whether capture is on, and how full the SIP log is.', NoArgs, SipLogStatus),
} as const;

export const siplogEvents = {
  'siplog.messages': event(
    'Newly captured SIP messages, batched (at most one batch every 100 ms).',
    SipLogBatch,
  ),
  'siplog.changed': event(
    'Capture was turned on or off, or the SIP log was cleared: the new status.',
    SipLogStatus,
  ),
} as const;

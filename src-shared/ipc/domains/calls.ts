import { z } from 'zod';
import { command, event, NoArgs } from '../define.ts';
import { AccountId } from '../../model/account.ts';
import {
  CALL_LIST_MAX,
  CallAudioOptions,
  CallId,
  CallSnapshot,
  DialTarget,
  DtmfDigits,
  RejectReason,
} from '../../model/call.ts';

const CallRef = z.strictObject({ callId: CallId });

export const callsCommands = {
  'calls.list': command(
    'Every call that is up (ringing, talking, on hold), oldest first.',
    NoArgs,
    z.array(CallSnapshot).max(CALL_LIST_MAX),
  ),
  'calls.dial': command(
    'Call `target` (a SIP URI, user@host, or a number on the account\u2019s domain) from an account (default: the first registered one). Other calls go on hold.',
    z.strictObject({
      target: DialTarget,
      accountId: AccountId.optional(),
      audio: CallAudioOptions.optional(),
    }),
    CallSnapshot,
  ),
  'calls.answer': command(
    'Answer a ringing incoming call (a call in progress goes on hold: call waiting).',
    z.strictObject({ callId: CallId, audio: CallAudioOptions.optional() }),
    CallSnapshot,
  ),
  'calls.reject': command(
    'Refuse a ringing incoming call: `busy` answers 486 Busy Here, `decline` (default) 603 Decline.',
    z.strictObject({ callId: CallId, reason: RejectReason.optional() }),
    CallSnapshot,
  ),
  'calls.hangup': command(
    'End a call: BYE when talking, CANCEL while it rings at the far end, 603 when it rings here.',
    CallRef,
    CallSnapshot,
  ),
  'calls.hold': command(
    'Put a call on hold (re-INVITE with sendonly or inactive audio).',
    CallRef,
    CallSnapshot,
  ),
  'calls.resume': command('Take a call off hold (other calls go on hold).', CallRef, CallSnapshot),
  'calls.mute': command(
    'Mute or unmute our microphone in a call (silence is sent instead).',
    z.strictObject({ callId: CallId, muted: z.boolean() }),
    CallSnapshot,
  ),
  'calls.sendDtmf': command(
    'Send DTMF keys: RFC 4733 telephone-events when negotiated, else SIP INFO (per the DTMF mode setting).',
    z.strictObject({ callId: CallId, digits: DtmfDigits }),
    CallSnapshot,
  ),
  'calls.transfer': command(
    'Transfer a call: blindly to `target`, or (attended) to the far end of the call `replacesCallId` (REFER with Replaces).',
    z.union([
      z.strictObject({ callId: CallId, target: DialTarget }),
      z.strictObject({ callId: CallId, replacesCallId: CallId }),
    ]),
    CallSnapshot,
  ),
} as const;

export const callsEvents = {
  'calls.changed': event(
    'One call changed (state, hold, mute, statistics, transfer); the whole snapshot.',
    CallSnapshot,
  ),
} as const;

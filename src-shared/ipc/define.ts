/**
 * Building blocks of the IPC contract. A command is a request schema and a response schema; an event is a
 * payload schema. Everything that crosses the process boundary is declared with these, once, and both
 * sides infer their TypeScript types from the same objects.
 */
import { z } from 'zod';

export interface CommandSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly summary: string;
}

export function command<Req extends z.ZodType, Res extends z.ZodType>(
  summary: string,
  request: Req,
  response: Res,
): CommandSpec<Req, Res> {
  return { request, response, summary };
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  readonly summary: string;
}

export function event<P extends z.ZodType>(summary: string, payload: P): EventSpec<P> {
  return { payload, summary };
}

/** The request of commands that take no arguments. */
export const NoArgs = z.strictObject({});

/**
 * Expected failures that may cross the boundary. A handler signals one by throwing `PhoneError`; anything
 * else becomes `internal` with a generic message (stacks never cross).
 */
export const ErrorCode = z.enum([
  'invalid-request',
  'unknown-command',
  'forbidden',
  'not-found',
  'conflict',
  'unavailable',
  'timeout',
  'auth-failed',
  'network',
  'sip',
  'media',
  'storage',
  'not-implemented',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const IpcError = z.strictObject({ code: ErrorCode, message: z.string().max(2000) });
export type IpcError = z.infer<typeof IpcError>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Thrown by command handlers for expected failures; carries only what may be shown to the user. */
export class PhoneError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'PhoneError';
    this.code = code;
  }
}

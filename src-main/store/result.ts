/**
 * Expected failures of the store are values, not exceptions: a caller can switch over `error.code`
 * exhaustively. Exceptions from the store mean a bug (or a disk that is failing).
 */
import type { z } from 'zod';

export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** One reason an input was refused: where (`addresses.1.value`; empty for the whole input) and why. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export interface InvalidInputError {
  readonly code: 'invalid';
  readonly issues: readonly ValidationIssue[];
}

export interface NotFoundError {
  readonly code: 'not-found';
  readonly id: string;
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function invalid(error: z.ZodError): { readonly ok: false; readonly error: InvalidInputError } {
  return fail({ code: 'invalid', issues: issuesOf(error) });
}

export function notFound(id: string): { readonly ok: false; readonly error: NotFoundError } {
  return fail({ code: 'not-found', id });
}

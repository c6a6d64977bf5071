/**
 * The renderer's only way to the phone: a typed client over the bridge the preload (or the e2e test host)
 * puts on `window.softphone`. Request, response and event payload types are inferred from the contract in
 * src-shared, so a wrong command name or payload is a compile error.
 *
 * `call` answers the command's value or throws `ApiError { code, message }` — the only error shape that
 * crosses the process boundary. Responses are not re-validated here: main validates every response
 * against the contract before sending it.
 */
import type {
  CommandName,
  ErrorCode,
  EventName,
  EventPayloadOf,
  IpcError,
  IpcResult,
  RequestOf,
  ResponseOf,
  SoftphoneBridge,
} from '../../../src-shared/ipc/index.ts';

export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export const MISSING_BRIDGE_MESSAGE =
  'window.softphone is missing: this page talks to the phone only through the Softphone app (Electron preload) ' +
  'or the end-to-end test host, which define it before the app starts.';

export type BridgeHost = SoftphoneBridge['host'] | 'none';

export interface PhoneApi {
  /** Which host serves this window; `none` when there is no bridge (every call then fails `unavailable`). */
  readonly host: BridgeHost;
  call<N extends CommandName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>>;
  /** Subscribe to one event; returns the unsubscribe function. */
  on<N extends EventName>(name: N, listener: (payload: EventPayloadOf<N>) => void): () => void;
}

export function createPhoneApi(bridge: SoftphoneBridge): PhoneApi {
  return {
    host: bridge.host,
    async call<N extends CommandName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
      const command = bridge.commands[name] as ((request: RequestOf<N>) => Promise<unknown>) | undefined;
      if (typeof command !== 'function')
        throw new ApiError('unknown-command', `the host does not offer ${name}`);
      let result: unknown;
      try {
        result = await command(request);
      } catch (error) {
        // The contract answers failures as values; a rejection means the channel itself broke.
        throw new ApiError(
          'unavailable',
          `${name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return unwrapResult(name, result) as ResponseOf<N>;
    },
    on(name, listener) {
      return bridge.on(name, listener);
    },
  };
}

/** The client of a page opened without a bridge: every call fails with a message that says why. */
export function createUnavailableApi(message = MISSING_BRIDGE_MESSAGE): PhoneApi {
  return {
    host: 'none',
    call: () => Promise.reject(new ApiError('unavailable', message)),
    on: () => () => {},
  };
}

/** The client for this window: over `window.softphone` when present, otherwise the unavailable one. */
export function connectPhoneApi(
  target: { softphone?: unknown } = window as { softphone?: unknown },
): PhoneApi {
  return isBridge(target.softphone) ? createPhoneApi(target.softphone) : createUnavailableApi();
}

function isBridge(value: unknown): value is SoftphoneBridge {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { commands?: unknown; on?: unknown };
  return (
    typeof candidate.commands === 'object' &&
    candidate.commands !== null &&
    typeof candidate.on === 'function'
  );
}

function unwrapResult(name: string, result: unknown): unknown {
  if (!isResult(result)) throw new ApiError('internal', `${name}: the host answered in an unknown shape`);
  if (result.ok) return result.value;
  throw new ApiError(result.error.code, result.error.message);
}

function isResult(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { ok?: unknown; error?: unknown };
  if (r.ok === true) return 'value' in r;
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return false;
  const e = r.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

/**
 * What a store keeps of a failed call, for the view to show: the `{ code, message }` of an ApiError, or
 * `internal` for anything else (a bug in the renderer).
 */
export function failureOf(error: unknown): IpcError {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

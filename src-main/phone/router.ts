/**
 * The main-side gate of the IPC contract. Every host (Electron IPC, the e2e WebSocket bridge, the CLI)
 * sends commands through `CommandRouter.dispatch`, which:
 *   1. refuses names that are not own keys of the contract (no prototype tricks),
 *   2. refuses senders the host does not trust (wrong frame, wrong origin),
 *   3. validates the payload with the command's zod schema — handlers only ever see valid data,
 *   4. answers `{ok:true,value}` or `{ok:false,error:{code,message}}`; a stack never crosses.
 * The response is validated too: a handler returning the wrong shape is a bug, reported as `internal`.
 */
import { commands, PhoneError } from '../../src-shared/ipc/index.ts';
import type {
  CommandName,
  ErrorCode,
  IpcResult,
  ParsedRequestOf,
  ResponseOf,
} from '../../src-shared/ipc/index.ts';

export type CommandHandlers = {
  [N in CommandName]: (request: ParsedRequestOf<N>) => Promise<ResponseOf<N>> | ResponseOf<N>;
};

/** Who sent a command, as far as the host can tell. */
export interface SenderInfo {
  kind: 'electron' | 'websocket' | 'cli';
  /** URL of the sending frame or page (Electron: senderFrame.url; WebSocket: Origin). */
  url?: string;
  /** Electron: whether the sender is the top-level frame of our window. */
  mainFrame?: boolean;
}

export interface RouterOptions {
  isTrustedSender(sender: SenderInfo): boolean;
  /** Called with bugs (non-PhoneError throws, invalid responses); never shown to the sender. */
  onInternalError?(name: string, error: unknown): void;
}

const MAX_MESSAGE = 300;

function describeIssues(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const parts = error.issues.slice(0, 3).map((i) => {
    const at = i.path.map(String).join('.');
    return at ? `${at}: ${i.message}` : i.message;
  });
  return parts.join('; ').slice(0, MAX_MESSAGE);
}

export class CommandRouter {
  private readonly handlers: CommandHandlers;
  private readonly options: RouterOptions;

  constructor(handlers: CommandHandlers, options: RouterOptions) {
    this.handlers = handlers;
    this.options = options;
  }

  async dispatch(name: unknown, payload: unknown, sender: SenderInfo): Promise<IpcResult<unknown>> {
    if (typeof name !== 'string' || !Object.hasOwn(commands, name)) {
      return fail(
        'unknown-command',
        `unknown command ${typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : `(${typeof name})`}`,
      );
    }
    let trusted: boolean;
    try {
      trusted = this.options.isTrustedSender(sender);
    } catch {
      trusted = false;
    }
    if (!trusted) return fail('forbidden', 'sender is not allowed to use the phone API');

    const commandName = name as CommandName;
    const spec = commands[commandName];
    const parsed = spec.request.safeParse(payload);
    if (!parsed.success) return fail('invalid-request', `${commandName}: ${describeIssues(parsed.error)}`);

    const handler = this.handlers[commandName] as (req: unknown) => unknown;
    let value: unknown;
    try {
      value = await handler(parsed.data);
    } catch (error) {
      if (error instanceof PhoneError) return fail(error.code, error.message.slice(0, 2000));
      this.options.onInternalError?.(commandName, error);
      return fail('internal', `${commandName} failed unexpectedly`);
    }
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      this.options.onInternalError?.(
        commandName,
        new Error(`invalid response: ${describeIssues(checked.error)}`),
      );
      return fail('internal', `${commandName} produced an invalid response`);
    }
    return { ok: true, value: checked.data };
  }
}

function fail(code: ErrorCode, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

/**
 * The CLI's way into the phone: every command goes through the same validating `CommandRouter` as the
 * app's IPC, as the `cli` sender, and answers typed results.
 */
import type { CommandName, IpcResult, RequestOf, ResponseOf } from '../../src-shared/ipc/index.ts';
import { CommandRouter, type Phone } from '../phone/index.ts';

export class CliPhoneClient {
  private readonly router: CommandRouter;

  constructor(phone: Phone) {
    this.router = new CommandRouter(phone.handlers, {
      isTrustedSender: (sender) => sender.kind === 'cli',
      onInternalError: (name, error) =>
        phone.log.write('error', 'cli', `${name}: ${String((error as Error)?.stack ?? error)}`),
    });
  }

  async call<N extends CommandName>(name: N, request: RequestOf<N>): Promise<IpcResult<ResponseOf<N>>> {
    // The router validated the response against the contract's schema for `name`.
    return (await this.router.dispatch(name, request, { kind: 'cli' })) as IpcResult<ResponseOf<N>>;
  }
}

/**
 * The Electron binding of the phone API: one `ipcMain.handle` per command of the contract (all through the
 * validating `CommandRouter`), and every phone event forwarded to our window. The sender check is strict:
 * only the top-level frame of our own window, loaded from our own origin, may call the phone.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES, commandChannel, eventChannel } from '../../src-shared/ipc/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { CommandRouter, type Phone, type SenderInfo } from '../phone/index.ts';
import { isAppUrl } from './security.ts';

export interface IpcBindingOptions {
  /** The window whose renderer may use the API (looked up per call: it can be re-created). */
  trustedContents(): WebContents | undefined;
  devServerUrl?: string;
}

export function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    kind: 'electron',
    url: frame?.url,
    mainFrame: frame !== null && frame !== undefined && frame === event.sender.mainFrame,
  };
}

export function bindPhoneIpc(ipcMain: IpcMain, phone: Phone, options: IpcBindingOptions): Disposable {
  const router = new CommandRouter(phone.handlers, {
    isTrustedSender: (s) =>
      s.kind === 'electron' && s.mainFrame === true && isAppUrl(s.url, options.devServerUrl),
    onInternalError: (name, error) =>
      phone.log.write('error', 'ipc', `${name}: ${String((error as Error)?.stack ?? error)}`),
  });
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event, payload: unknown) => {
      // The window must be ours as well as the frame: another webContents loading our origin is refused.
      if (event.sender !== options.trustedContents()) {
        return { ok: false, error: { code: 'forbidden', message: 'sender is not the phone window' } };
      }
      return router.dispatch(name, payload, senderInfo(event));
    });
  }
  const sub = phone.events.on((e) => {
    const contents = options.trustedContents();
    if (contents && !contents.isDestroyed()) contents.send(eventChannel(e.name), e.payload);
  });
  return {
    dispose() {
      sub.dispose();
      for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
    },
  };
}

import { assertNever } from '../../../../src-shared/util/emitter.ts';
import type { HostKind } from '../../../../src-shared/model/app.ts';

/** Message key naming the host the phone runs in. */
export function hostLabelKey(host: HostKind): `diagnostics.hosts.${'electron' | 'cli' | 'testHost'}` {
  switch (host) {
    case 'electron':
      return 'diagnostics.hosts.electron';
    case 'cli':
      return 'diagnostics.hosts.cli';
    case 'test-host':
      return 'diagnostics.hosts.testHost';
    default:
      return assertNever(host, 'host kind');
  }
}

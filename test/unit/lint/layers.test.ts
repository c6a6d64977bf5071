/** Proves the import-boundary rule is live: deliberate wrong-way imports fail lint, right-way ones pass. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'softphone/layers').map((m) => m.message);
}

describe('layer boundaries', () => {
  it.each([
    [
      'src-shared/model/x.ts',
      "import { Phone } from '../../src-main/phone/index.ts';\nexport const y = Phone;\n",
    ],
    ['src-shared/model/x.ts', "import fs from 'node:fs';\nexport const y = fs;\n"],
    [
      'src-renderer/src/x.ts',
      "import { Phone } from '../../src-main/phone/index.ts';\nexport const y = Phone;\n",
    ],
    ['src-main/sip/syntax/x.ts', "import { t } from '../transport/index.ts';\nexport const y = t;\n"],
    ['src-main/sdp/x.ts', "import { t } from '../media/rtp/index.ts';\nexport const y = t;\n"],
    ['src-main/platform/x.ts', "import { Phone } from '../phone/index.ts';\nexport const y = Phone;\n"],
    ['src-main/phone/x.ts', "import { app } from 'electron';\nexport const y = app;\n"],
    ['src-main/cli/x.ts', "import { Window } from '../electron/window.ts';\nexport const y = Window;\n"],
    ['src-main/sip/transport/x.ts', "import dgram from 'node:dgram';\nexport const y = dgram;\n"],
    ['src-main/store/x.ts', "import { Call } from '../call/index.ts';\nexport const y = Call;\n"],
  ])('rejects %s importing the wrong way', async (file, code) => {
    expect(await layerErrors(file, code)).toHaveLength(1);
  });

  it.each([
    ['src-main/sip/transport/x.ts', "import { parse } from '../syntax/index.ts';\nexport const y = parse;\n"],
    [
      'src-main/phone/x.ts',
      "import { Emitter } from '../../src-shared/util/emitter.ts';\nexport const y = Emitter;\n",
    ],
    [
      'src-main/electron/x.ts',
      "import { app } from 'electron';\nimport { Phone } from '../phone/index.ts';\nexport const y = [app, Phone];\n",
    ],
    ['src-main/platform/x.ts', "import dgram from 'node:dgram';\nexport const y = dgram;\n"],
    [
      'src-renderer/src/x.ts',
      "import { commands } from '../../src-shared/ipc/index.ts';\nexport const y = commands;\n",
    ],
    ['src-shared/ipc/x.ts', "import { z } from 'zod';\nexport const y = z;\n"],
  ])('accepts %s importing the right way', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});

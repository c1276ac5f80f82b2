import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The design's boundaries are checked, not hoped for: ESLint refuses an import that crosses a layer.
const root = join(import.meta.dirname, '..', '..')
const eslint = new ESLint({ cwd: root })

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules', () => {
  it.each([
    ['src/main/storage/core/blobs.ts', "import { createRegistryServer } from '../../registry/server'\nvoid createRegistryServer\n"],
    ['src/main/storage/core/blobs.ts', "import { collectGarbage } from '../manage/gc'\nvoid collectGarbage\n"],
    ['src/main/storage/manage/gc.ts', "import { createService } from '../../service/service'\nvoid createService\n"],
    ['src/main/registry/server.ts', "import { createService } from '../service/service'\nvoid createService\n"],
    ['src/main/docker/images.ts', "import { openStorage } from '../storage'\nvoid openStorage\n"],
    ['src/main/service/service.ts', "import { boot } from '../shell/app'\nvoid boot\n"],
    ['src/main/registry/server.ts', "import { app } from 'electron'\nvoid app\n"],
    ['src/renderer/src/App.tsx', "import { openStorage } from '../../main/storage'\nvoid openStorage\n"],
    ['src/shared/reference.ts', "import { join } from 'node:path'\nvoid join\n"],
    ['src/main/catalog-insight/insight.ts', "import { createService } from '../service/service'\nvoid createService\n"]
  ])('%s may not import across its layer', async (file, code) => {
    expect(await problems(file, code)).toHaveLength(1)
  })

  it.each([
    ['src/main/registry/server.ts', "import { openStorage } from '../storage'\nvoid openStorage\n"],
    ['src/main/service/service.ts', "import { DockerEngine } from '../docker/engine'\nvoid DockerEngine\n"],
    ['src/main/storage/archive/export.ts', "import { storageUsage } from '../manage/usage'\nvoid storageUsage\n"],
    ['src/main/docker/images.ts', "import type { LocalImage } from '@shared/model/docker'\nexport type X = LocalImage\n"]
  ])('%s may import what is beneath it', async (file, code) => {
    expect(await problems(file, code)).toEqual([])
  })
})

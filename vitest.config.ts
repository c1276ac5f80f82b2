import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

const alias = {
  '@shared': resolve(import.meta.dirname, 'src/shared'),
  // No test may load the real Electron module (its binary cannot exist here): stand-in only.
  electron: resolve(import.meta.dirname, 'test/stubs/electron.ts')
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', environment: 'node', include: ['src/**/*.test.ts', 'test/api/**/*.test.ts'] }
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // The Docker engine and the two cores are shared: one file at a time keeps timings sane.
          fileParallelism: false,
          globalSetup: ['test/global-setup.ts']
        }
      }
    ]
  }
})

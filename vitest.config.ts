import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

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
        test: { name: 'unit', environment: 'node', include: ['src/**/*.test.ts', 'test/api/**/*.test.ts', 'test/lint/**/*.test.ts'] }
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
      },
      {
        // The window's components in jsdom, fed by a fake transport (src/renderer/src/test/).
        plugins: [react()],
        resolve: { alias: { ...alias, '@renderer': resolve(import.meta.dirname, 'src/renderer/src') } },
        test: {
          name: 'dom',
          environment: 'jsdom',
          globals: true,
          include: ['src/renderer/**/*.test.tsx'],
          setupFiles: ['src/renderer/src/test/setup.ts']
        }
      },
      {
        // The built window in Debian's Chromium against `berth serve` and the real Docker engine.
        resolve: { alias },
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // After every other project: the Docker engine and the two cores are not shared with integration tests.
          sequence: { groupOrder: 1 },
          globalSetup: ['test/global-setup.ts']
        }
      }
    ]
  }
})

import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import type { Plugin } from 'vite'
import { injectCsp } from './src/shared/csp'

/** The one CSP (src/shared/csp.ts) into index.html's <meta>, in dev and in the build. */
const csp: Plugin = { name: 'berth-csp', transformIndexHtml: { order: 'pre', handler: injectCsp } }

const alias = { '@shared': resolve(import.meta.dirname, 'src/shared') }

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/main/index.ts'), cli: resolve(import.meta.dirname, 'src/main/cli.ts') }
      }
    }
  },
  preload: {
    resolve: { alias },
    // A sandboxed preload must be one CommonJS file with nothing external but `electron`.
    build: { externalizeDeps: false, rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } }
  },
  renderer: {
    resolve: { alias: { ...alias, '@renderer': resolve(import.meta.dirname, 'src/renderer/src') } },
    plugins: [csp, react(), tailwindcss()]
  }
})

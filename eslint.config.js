import { defineConfig, globalIgnores } from 'eslint/config'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/**
 * A layer rule: files matching `files` may not import from the sibling folders `forbidden` (by
 * relative path), nor the modules in `alsoForbidden`. Electron stays forbidden everywhere but the shell.
 */
function layer(files, forbidden, why, alsoForbidden = []) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...alsoForbidden.map((name) => ({ name, message: `Layer rule: ${why}.` }))],
        patterns: forbidden.map((folder) => ({ regex: `^(\\.\\./)+${folder}(/|$)`, message: `Layer rule: ${why}.` }))
      }]
    }
  }
}

const ABOVE_STORAGE = ['registry', 'service', 'docker', 'shell', 'remote', 'cli']

const noElectron = {
  name: 'electron',
  message: 'Only src/main/shell and the preload may import electron: the core must run in plain Node.'
}

export default defineConfig(
  globalIgnores(['out/**', 'dist/**', 'node_modules/**', 'bench/results/**']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts', 'test/**/*.ts', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'bin/**/*.js', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node }
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/shell/**', 'src/main/index.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] }
  },
  // The layers of the main process (DESIGN.md): each folder says what it may import; the service composes.
  // (A later rule replaces an earlier one for the same files, so each repeats what the folder above forbids.)
  layer('src/main/storage/**/*.ts', ABOVE_STORAGE, 'storage is the bottom layer: it knows no server, service, engine or window'),
  layer('src/main/storage/core/**/*.ts', [...ABOVE_STORAGE, 'manage', 'archive'], 'the core store knows nothing of management or archives (they build on it)', ['../index', '../../storage']),
  layer('src/main/storage/manage/**/*.ts', [...ABOVE_STORAGE, 'archive'], 'management builds on the core store, not on archives'),
  layer('src/main/registry/**/*.ts', ['service', 'docker', 'shell', 'remote', 'cli'], 'the registry serves storage; the service composes it with the rest'),
  layer('src/main/docker/**/*.ts', ['storage', 'registry', 'service', 'shell', 'remote', 'cli'], 'the Docker controller talks to the engine only; the service joins it to storage'),
  layer('src/main/remote/**/*.ts', ['service', 'docker', 'shell', 'cli'], 'the registry client knows no service, engine or window'),
  layer('src/main/service/**/*.ts', ['shell', 'cli'], 'the service runs without Electron and without the command line'),
  layer('src/main/accounts/**/*.ts', ['registry', 'service', 'docker', 'shell', 'remote', 'cli', 'tls', 'sharing'], 'accounts are files and passwords, nothing more'),
  layer('src/main/tls/**/*.ts', ['registry', 'service', 'docker', 'shell', 'remote', 'cli', 'accounts', 'sharing'], 'certificates know no server, account or engine'),
  layer('src/main/doctor/**/*.ts', ['storage', 'registry', 'service', 'shell', 'remote', 'cli', 'sharing'], 'the doctor reads the engine and the files it names, nothing of Berth'),
  layer('src/main/{metrics,activity}/**/*.ts', ['service', 'docker', 'shell', 'remote', 'cli', 'sharing'], 'observers count and record; the service wires them'),
  layer('src/main/transfer/**/*.ts', ['registry', 'service', 'shell', 'remote', 'cli'], 'transfers join the engine to storage; the service starts them'),
  layer('src/main/catalog-insight/**/*.ts', ['registry', 'service', 'docker', 'shell', 'remote', 'cli'], 'what is stored about images is read from storage; the service serves it'),
  layer('src/main/sharing/**/*.ts', ['service', 'docker', 'shell', 'remote', 'cli'], 'sharing composes accounts, certificates and the registry\'s auth hook; the service uses it'),
  {
    // What the e2e tests evaluate inside a page: browser scripts, one function each.
    files: ['test/e2e/in-page/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' }
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*'], message: 'src/shared is imported by the renderer: no Node modules.' }]
      }]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*', '**/main/**', '**/preload/**'], message: 'The renderer talks only through the contract.' }]
      }]
    }
  }
)

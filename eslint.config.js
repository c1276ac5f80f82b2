import { defineConfig, globalIgnores } from 'eslint/config'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

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

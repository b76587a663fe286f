import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import layers from './lint-rules/layers.js'

/**
 * The layers of src/, bottom first: the one statement of the order (README's layout paragraph
 * repeats it; lint-rules/layers.js enforces it). A file may import its own entry and the layers
 * below it; never a layer above, never another entry of its own layer. The bottom layer is shared
 * and its entries may import one another: the files directly in src/core (findings, codes,
 * errors, files, arrays, paths, report, …), src/core/util, and every folder's codes.ts (data that
 * src/core/codes.ts gathers into the registry). `*` stands for one file or folder name.
 */
export const LAYERS = [
  ['src/core/*.ts', 'src/core/util', 'src/core/*/codes.ts'], // shared
  ['src/core/asn1', 'src/core/mail', 'src/core/apple'],
  ['src/core/x509'],
  ['src/core/settings'],
  ['src/core/sign'],
  ['src/core/net', 'src/core/inspect'],
  ['src/core/check'],
  ['src/core/generate'],
  ['src/core/doctor', 'src/core/serve'],
  ['src/core/app'],
  ['src/render'],
  ['src/commands'],
  ['src/*.ts'], // cli.ts, bench-lib.ts
]

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'profiles/', 'coverage/', '.bench-tmp/', '**/*.generated.js']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: {layers},
    rules: {
      'layers/downward': ['error', {layers: LAYERS, root: import.meta.dirname}],
      'layers/no-cycle': ['error', {root: import.meta.dirname}],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', {patterns: [{group: ['@oclif/*'], message: 'The core never imports the CLI framework.'}]}],
      'no-restricted-properties': ['error', {object: 'process', property: 'exit', message: 'The core never exits.'}],
    },
  },
  {
    files: ['**/*.js', 'bench/**', 'scripts/**', 'test/**'],
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly'}},
  },
  {
    // bin/ is CommonJS (bin/package.json): an ES module entry costs every start Node's ESM loader.
    files: ['bin/**/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)

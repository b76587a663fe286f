import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'profiles/', 'coverage/', '**/*.generated.js']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
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
)

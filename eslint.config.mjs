// Type-checked linting; the import rule keeps lambdas/core pure (no AWS SDK, adapters or handlers).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', 'dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@smithy/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'lambdas/core is pure: AWS stays in adapters.',
            },
            {
              group: [
                '**/adapters/**',
                '**/handlers/**',
                '**/local/**',
                'node:fs',
                'node:fs/*',
                'fs',
                'node:http',
                'node:https',
              ],
              message: 'lambdas/core must not import adapters, entry layers (handlers, local) or I/O.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core is clock-free: take `now` as an argument.' },
        {
          object: 'process',
          property: 'env',
          message: 'core reads no environment: take configuration as an argument.',
        },
      ],
    },
  },
  {
    // Imports point inward: the entry layers (handlers for Lambda, local for the CLI) wire adapters
    // and core; adapters never reach back into an entry layer.
    files: ['lambdas/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/handlers/**', '**/local/**'],
              message: 'adapters must not import the entry layers (handlers, local).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/handlers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local/**'],
              message: 'Lambda handlers must not import the local (CLI) entry layer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/local/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/handlers/**'],
              message:
                'the local entry layer shares core and adapters with the handlers, not the handlers themselves.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

// Type-checked linting; the import rules keep lambdas/core pure (no AWS SDK, adapters or handlers) and
// keep the traffic simulator (simulate/) independent of the code it is used to test.
import tseslint from 'typescript-eslint';

/** Rule cases and their builders are test material: no production module may import them, so no bundle carries them. */
const TEST_MATERIAL_FILES = [
  'lambdas/core/rules/*.cases.ts',
  'lambdas/core/rules/cases.ts',
  'lambdas/core/rules/rule-case.ts',
  'lambdas/core/rules/raw-records.ts',
  'lambdas/core/rules/test-events.ts',
];
const TEST_MATERIAL_IMPORTS = [
  {
    group: [
      '**/*.cases.js',
      '**/rules/cases.js',
      './cases.js',
      '**/rule-case.js',
      '**/raw-records.js',
      '**/test-events.js',
    ],
    message: 'rule cases and their builders are test material: production code never imports them.',
  },
];

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
            { group: ['**/simulate/**'], message: 'lambdas/core must not import the traffic simulator.' },
            ...TEST_MATERIAL_IMPORTS,
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
            ...TEST_MATERIAL_IMPORTS,
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
            ...TEST_MATERIAL_IMPORTS,
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
            ...TEST_MATERIAL_IMPORTS,
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: TEST_MATERIAL_IMPORTS }] },
  },
  {
    // Test material inside core: pure like the rest of core, and free to import its own kind.
    files: TEST_MATERIAL_FILES,
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
            { group: ['**/simulate/**'], message: 'lambdas/core must not import the traffic simulator.' },
          ],
        },
      ],
    },
  },
  {
    // The simulator generates the raw logs the engine is tested against, so it must not share the
    // engine's reading of them: from lambdas/ it takes types only (`import type`, erased at compile
    // time: e.g. core's Contract) and, as values, only the pure access-log format constants.
    // It is deterministic and I/O-free like core (the CLI writes its output).
    files: ['simulate/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)lambdas/(?!core/sources/access-log-format\\.js$)',
              allowTypeImports: true,
              message:
                'simulate/ may import only types and lambdas/core/sources/access-log-format.js from lambdas/ (never a normaliser or engine code).',
            },
            {
              group: ['**/bench/**', '**/bin/**', '**/lib/**', '**/test/**', '**/scripts/**'],
              message: 'simulate/ stands alone.',
            },
            {
              group: ['@aws-sdk/*', '@smithy/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'simulate/ is pure.',
            },
            {
              group: ['node:fs', 'node:fs/*', 'fs', 'node:http', 'node:https'],
              message: 'simulate/ does no I/O: the CLI writes its output.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'the simulator is deterministic: time comes from its options.',
        },
        {
          object: 'process',
          property: 'env',
          message: 'the simulator reads no environment: take options as arguments.',
        },
      ],
    },
  },
  {
    // Maps keyed by observed values are SafeRecords (lambdas/core/safe-record.ts): their type has no
    // index signature, and a record decoded from JSON must get its null prototypes back.
    files: ['lambdas/**/*.ts', 'bin/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "TSAsExpression[expression.callee.object.name='JSON'][expression.callee.property.name='parse'][typeAnnotation.typeName.name=/^(StateRecord|IdentityBaseline|SourceState)$/]",
          message:
            'Decode state records with parseRecord / reviveRecord (core/baseline.ts): JSON.parse gives plain objects, on which a learned `constructor` or `__proto__` reads a built-in.',
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

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'src/web/assets/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The core is pure domain code: no frameworks, no I/O.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'fastify',
                'kysely',
                'pg',
                'ioredis',
                'better-sqlite3',
                'express',
                'node:fs',
                'fs',
                'node:fs/*',
              ],
              message: 'src/core is pure: no frameworks or I/O.',
            },
            {
              group: ['**/adapters/**', '**/app/**', '**/http/**', '**/cli/**'],
              message: 'src/core never imports outer layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

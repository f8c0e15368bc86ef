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
    // The dashboard: plain ES modules run by the browser.
    files: ['src/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'sessionStorage',
          'fetch',
          'FormData',
          'URL',
          'URLSearchParams',
          'Node',
          'ResizeObserver',
          'console',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

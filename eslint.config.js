import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-output/**',
      'demo-output/**',
      '.venv-peers/**',
      '.azure-package/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The domain core stays pure: no Azure SDK, no environment, no wall clock (architecture.md "Boundaries").
    files: ['shared/**/*.ts'],
    ignores: ['shared/adapters/**', 'shared/compose/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@azure/*'] }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in functions/ or cli/ and pass them in.' },
        { object: 'Date', property: 'now', message: 'Pass a clock in.' },
      ],
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
);

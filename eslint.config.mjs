import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'coverage', 'test/artifacts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layer rules (DESIGN §1): shared imports no node/electron; core imports no transport/storage/electron.
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'electron', '../src-main/*', '../src-renderer/*', 'fastify', 'sql.js'] },
      ],
    },
  },
  {
    // the core talks to ports only: no transport, storage, file system, HSM library or Electron
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'electron',
            'fastify',
            'sql.js',
            'pg',
            'pkcs11js',
            ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2'].flatMap((m) => [m, `node:${m}`]),
          ],
          patterns: ['**/adapters/**', '**/bridge/**', '**/compose/**', '**/cli/**', '**/app/**'],
        },
      ],
    },
  },
  {
    // adapters implement ports; they know nothing of the doors or of who wires them
    files: ['src-main/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: ['**/bridge/**', '**/compose/**', '**/cli/**', '**/app/**'] },
      ],
    },
  },
  {
    // the UI's door maps channels to core and station services; adapters come in through compose/
    files: ['src-main/bridge/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['electron'], patterns: ['**/adapters/**', '**/compose/**', '**/cli/**', '**/app/**'] },
      ],
    },
  },
  {
    // one composition module, below the entry points (docs/architecture.md)
    files: ['src-main/compose/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['**/cli/**', '**/app/**'] }],
    },
  },
  {
    files: ['src-main/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['**/app/**'] }] },
  },
  {
    files: ['src-main/app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/cli/**'] }] },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '**/src-main/**'] }] },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

/**
 * The layers, lowest first: a file may import from its own layer and those below, never above
 * (ARCHITECTURE.md: domain → machines → cases / approvals → jobs / mail → http / cli).
 */
const LAYERS = [
  ['./src/domain', './src/errors.ts', './src/clock.ts', './src/logger.ts'],
  ['./machines', './workflows'],
  ['./src/store', './src/config.ts'],
  ['./src/calendars', './src/organisation', './src/cases', './src/approvals', './src/register', './src/letters', './src/access', './src/evidence', './src/simulator', './src/policies'],
  ['./src/jobs', './src/mail', './src/demo', './src/retention'],
  ['./src/http', './src/cli', './src/main.ts'],
];
const layerZones = LAYERS.slice(0, -1).flatMap((layer, i) =>
  layer.map((target) => ({
    target,
    from: LAYERS.slice(i + 1).flat(),
    message: 'imports point down the layers (domain → machines → store → cases/approvals → jobs/mail → http/cli)',
  })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'bench/results/**', 'bench/.data/**', 'coverage/**', '.scratch*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'machines/**/*.ts', 'workflows/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // Only cases/ runs machines (and the pure simulator, which runs them without a store).
    files: ['src/**/*.ts'],
    ignores: ['src/cases/**', 'src/simulator/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'xstate', message: 'only src/cases/ runs machines: ask the case service', allowTypeImports: true }] },
      ],
    },
  },
);

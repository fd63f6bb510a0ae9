// Lint for every TypeScript source: ESLint's and typescript-eslint's recommended rules. Syntax
// only, no type information, so `npm test` pays a few seconds for it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `let x; onEvent(() => x?.stop()); x = await start();` is deliberate: the handler is in
      // place before the thing it cleans up exists. As a const, that closure would meet the TDZ.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Code being rewritten on other branches: findings there are shown, not failed, until those
    // changes land and fix them (server/net/address.ts: a `\[` inside a character class).
    files: ['server/net/**/*.ts'],
    rules: { 'no-useless-escape': 'warn' },
  },
);

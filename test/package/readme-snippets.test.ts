// How the README's TypeScript blocks are found and turned into modules (pack.test.ts compiles the real ones
// against the packed package): which blocks count, what a fragment becomes, and misplaced markers refused.
import { readmeSnippets, snippetModule } from './readme-snippets';

const md = (...lines: string[]): string => lines.join('\n');

describe('readmeSnippets', () => {
  test.each([
    [
      'a ts block, whole',
      md('# Title', '', '```ts', "import { Stack } from 'aws-cdk-lib';", '```'),
      [{ line: 3, fragment: false, code: "import { Stack } from 'aws-cdk-lib';" }],
    ],
    [
      'typescript and TS info strings, with attributes after the language',
      md('```typescript title="x"', 'const a = 1;', '```', '', '```TS', 'const b = 2;', '```'),
      [
        { line: 1, fragment: false, code: 'const a = 1;' },
        { line: 5, fragment: false, code: 'const b = 2;' },
      ],
    ],
    [
      'other languages and plain blocks are not snippets',
      md('```sh', 'npm test', '```', '```json', '{}', '```', '```', 'text', '```', '~~~tsx', 'x', '~~~'),
      [],
    ],
    [
      'a ts block quoted inside a longer fence is text, not a snippet',
      md('````md', '```ts', 'const quoted = 1;', '```', '````', '```ts', 'const real = 1;', '```'),
      [{ line: 6, fragment: false, code: 'const real = 1;' }],
    ],
    [
      'a fragment marker, with a blank line before the block',
      md('Text.', '', '<!-- fragment -->', '', '```ts', "new Queue(this, 'Q');", '```'),
      [{ line: 5, fragment: true, code: "new Queue(this, 'Q');" }],
    ],
    [
      'a block indented in a list keeps its code, without the indentation',
      md('- item', '', '  ```ts', '  if (x) {', '    y();', '  }', '  ```'),
      [{ line: 3, fragment: false, code: 'if (x) {\n  y();\n}' }],
    ],
  ])('%s', (_name, markdown, expected) => {
    expect(readmeSnippets(markdown)).toEqual(expected);
  });

  test.each([
    [
      'before a sh block',
      md('<!-- fragment -->', '```sh', 'npm test', '```'),
      '<!-- fragment --> must come right before a ts block; it comes before other blocks at lines 2',
    ],
    [
      'before prose',
      md('<!-- fragment -->', 'Some text.', '```ts', 'const a = 1;', '```'),
      '<!-- fragment --> must come right before a ts block; markers at lines 1 mark 0 blocks',
    ],
  ])('a fragment marker %s is refused', (_name, markdown, message) => {
    expect(() => readmeSnippets(markdown)).toThrow(new Error(message));
  });
});

describe('snippetModule', () => {
  test('a whole snippet is its code, kept a module of its own', () => {
    expect(snippetModule({ line: 12, fragment: false, code: 'const app = new App();\napp.synth();' })).toBe(
      '// README.md, the block at line 12\nconst app = new App();\napp.synth();\nexport {};\n',
    );
  });

  test("a fragment's imports (one spanning lines) go on top, the rest into a Stack's constructor", () => {
    const code = md(
      "import { Duration } from 'aws-cdk-lib';",
      'import {',
      '  Issuer,',
      '  JwtAuthorizer,',
      "} from 'bearer-gate';",
      '',
      "new JwtAuthorizer(this, 'Jwt', {",
      '  issuers: [],',
      '',
      '  clockSkew: Duration.seconds(5),',
      '});',
    );
    expect(snippetModule({ line: 40, fragment: true, code })).toBe(
      md(
        '// README.md, the block at line 40 (a fragment)',
        "import { Duration } from 'aws-cdk-lib';",
        'import {',
        '  Issuer,',
        '  JwtAuthorizer,',
        "} from 'bearer-gate';",
        '',
        "import { Stack as ReadmeFragmentStack } from 'aws-cdk-lib';",
        "import type { Construct as ReadmeFragmentScope } from 'constructs';",
        '',
        'export class ReadmeFragment extends ReadmeFragmentStack {',
        '  constructor(scope: ReadmeFragmentScope, id: string) {',
        '    super(scope, id);',
        "    new JwtAuthorizer(this, 'Jwt', {",
        '      issuers: [],',
        '',
        '      clockSkew: Duration.seconds(5),',
        '    });',
        '  }',
        '}',
        '',
      ),
    );
  });
});

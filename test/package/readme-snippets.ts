// README.md's TypeScript snippets as the modules a user of the package would compile: each ```ts or
// ```typescript block whole, or, when the line before it is `<!-- fragment -->`, its imports at the top and
// the rest as the body of a Stack's constructor (`this` is the stack; nothing else is declared for it).
import { parseMarkdown } from '../support/markdown';

export const FRAGMENT_MARKER = '<!-- fragment -->';

const TYPESCRIPT = new Set(['ts', 'typescript']);

export interface ReadmeSnippet {
  /** The line of the block's opening fence in the README. */
  readonly line: number;
  readonly fragment: boolean;
  readonly code: string;
}

/** Every TypeScript block; a fragment marker before any other block, or before none, is an error. */
export function readmeSnippets(markdown: string): ReadmeSnippet[] {
  const parsed = parseMarkdown(markdown);
  const marked = parsed.blocks.filter((b) => b.before === FRAGMENT_MARKER);
  const misplaced = marked.filter((b) => !TYPESCRIPT.has(b.lang)).map((b) => b.line);
  if (misplaced.length > 0) {
    throw new Error(
      `${FRAGMENT_MARKER} must come right before a ts block; it comes before other blocks at lines ${misplaced.join(', ')}`,
    );
  }
  const markers = parsed.prose.filter((l) => l.text.trim() === FRAGMENT_MARKER).map((l) => l.line);
  if (markers.length !== marked.length) {
    throw new Error(
      `${FRAGMENT_MARKER} must come right before a ts block; markers at lines ${markers.join(', ')} mark ${marked.length} blocks`,
    );
  }
  return parsed.blocks
    .filter((b) => TYPESCRIPT.has(b.lang))
    .map((b) => ({ line: b.line, fragment: b.before === FRAGMENT_MARKER, code: b.code }));
}

/** The leading import statements of a fragment (each may span lines), and the rest. */
function splitImports(code: string): { imports: string[]; body: string[] } {
  const lines = code.split('\n');
  let end = 0;
  let inStatement = false;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (inStatement) inStatement = !/;\s*$/.test(line);
    else if (/^import\b/.test(line)) inStatement = !/;\s*$/.test(line);
    else if (line.trim() !== '') break;
  }
  return { imports: lines.slice(0, end), body: lines.slice(end) };
}

/** The TypeScript module a snippet compiles as. */
export function snippetModule(snippet: ReadmeSnippet): string {
  const origin = `// README.md, the block at line ${snippet.line}`;
  // `export {}` keeps a snippet without imports or exports a module of its own, not a script sharing one
  // global scope with the others.
  if (!snippet.fragment) return `${origin}\n${snippet.code}\nexport {};\n`;
  const { imports, body } = splitImports(snippet.code);
  return [
    `${origin} (a fragment)`,
    ...imports,
    "import { Stack as ReadmeFragmentStack } from 'aws-cdk-lib';",
    "import type { Construct as ReadmeFragmentScope } from 'constructs';",
    '',
    'export class ReadmeFragment extends ReadmeFragmentStack {',
    '  constructor(scope: ReadmeFragmentScope, id: string) {',
    '    super(scope, id);',
    ...body.map((line) => (line === '' ? '' : `    ${line}`)),
    '  }',
    '}',
    '',
  ].join('\n');
}

// The docs hold together: every relative link and #anchor in README.md, CONTRIBUTING.md, CHANGELOG.md,
// BENCHMARKS.md and docs/ points at a file and a heading that exist (anchors as GitHub makes them), and
// README.md names every prop of the constructs' props, so that moving a section never strands a reader.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { githubSlug, headings, links, parseMarkdown } from '../support/markdown';

const ROOT = resolve(__dirname, '..', '..');
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  'BENCHMARKS.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

const anchorsOf = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorsOf.get(file);
  if (found === undefined) {
    found = new Set(headings(parseMarkdown(readFileSync(file, 'utf8'))).map((h) => h.anchor));
    anchorsOf.set(file, found);
  }
  return found;
}

/** What is wrong with one link of `from` (absolute), or undefined when it resolves. */
function brokenTarget(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: …: not ours to check
  const hash = target.indexOf('#');
  const path = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = path === '' ? from : resolve(dirname(from), path);
  if (!existsSync(file)) return `no file ${relative(ROOT, file)}`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(file).isDirectory()) return `an anchor into ${relative(ROOT, file)}`;
  return anchors(file).has(anchor) ? undefined : `no heading #${anchor} in ${relative(ROOT, file)}`;
}

describe('githubSlug', () => {
  test.each([
    ['Install', 'install'],
    ['SAM and CloudFormation, without CDK', 'sam-and-cloudformation-without-cdk'],
    ['Permissions, required claims and context claims', 'permissions-required-claims-and-context-claims'],
    ['The seed tool: `npx bearer-gate-jwks-seed`', 'the-seed-tool-npx-bearer-gate-jwks-seed'],
    ['`GET /items/{id}`', 'get-itemsid'],
    ['What `npm start` runs', 'what-npm-start-runs'],
    ['[Linked](https://example.com) heading', 'linked-heading'],
    ['snake_case stays', 'snake_case-stays'],
    ['Ünïcode letters', 'ünïcode-letters'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  test('a repeated heading gets -1, -2, … in order; headings in fenced blocks do not count', () => {
    const parsed = parseMarkdown(
      ['## Tests', '```sh', '# Tests', '```', '### Tests', '# Tests #'].join('\n'),
    );
    expect(headings(parsed).map((h) => [h.line, h.anchor])).toEqual([
      [1, 'tests'],
      [5, 'tests-1'],
      [6, 'tests-2'],
    ]);
  });
});

describe('links', () => {
  test('finds links across line breaks, and none in code spans or fenced blocks', () => {
    const parsed = parseMarkdown(
      [
        'See [the first](#one) and [a wrapped',
        'link](other.md#two). Not `[code](#three)` nor ``a `[x](#four)` b``.',
        '',
        '```md',
        '[fenced](#five)',
        '```',
        'A [titled](<with-brackets.md> "Title") link.',
      ].join('\n'),
    );
    expect(links(parsed)).toEqual([
      { line: 1, target: '#one' },
      { line: 1, target: 'other.md#two' },
      { line: 7, target: 'with-brackets.md' },
    ]);
  });
});

describe('the docs', () => {
  test.each(DOCS)('every relative link and anchor in %s resolves', (doc) => {
    const file = join(ROOT, doc);
    const broken = links(parseMarkdown(readFileSync(file, 'utf8')))
      .map((link) => ({ ...link, problem: brokenTarget(file, link.target) }))
      .filter((link) => link.problem !== undefined)
      .map((link) => `${doc}:${link.line} ${link.target}: ${link.problem}`);
    expect(broken).toEqual([]);
  });

  /** The names of an exported interface's members, read from its source. */
  function propsOf(source: string, name: string): string[] {
    const file = ts.createSourceFile(
      source,
      readFileSync(join(ROOT, source), 'utf8'),
      ts.ScriptTarget.ES2022,
    );
    const decl = file.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    if (decl === undefined) throw new Error(`${source} declares no interface ${name}`);
    return decl.members.map((m) => (m.name as ts.Identifier).text);
  }

  test.each([
    ['infra/constructs/props.ts', 'JwtAuthorizerProps'],
    ['infra/constructs/revocation-list.ts', 'RevocationListProps'],
  ])('README.md names every prop of %s %s', (source, name) => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const props = propsOf(source, name);
    expect(props.length).toBeGreaterThan(5);
    expect(props.filter((prop) => !readme.includes(`\`${prop}\``))).toEqual([]);
  });
});

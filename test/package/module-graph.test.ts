// The library's modules import each other without cycles, type imports included: a cycle (like token.ts and
// signature.ts importing each other once did) means two modules are one concern, or a leaf is missing.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const LIBRARY = ['lambda/authorizer', 'lambda/contract', 'infra/constructs'];

/** Each library module (relative to the repository, without .ts) and the library modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of LIBRARY) {
    for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
      const module = `${dir}/${file.slice(0, -'.ts'.length)}`;
      const source = readFileSync(join(ROOT, dir, file), 'utf8');
      const imports = [...source.matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g)].map(([, specifier]) => {
        const target = relative(ROOT, resolve(ROOT, dirname(module), specifier ?? ''));
        return existsSync(join(ROOT, `${target}.ts`)) ? target : `${target}/index`;
      });
      graph.set(module, imports.sort());
    }
  }
  return graph;
}

/** Every cycle, each as the modules along it, starting from its smallest module. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (module: string, path: string[]): void => {
    const at = path.indexOf(module);
    if (at !== -1) {
      const cycle = path.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0] ?? '');
      const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
      found.set(canonical.join(' -> '), canonical);
      return;
    }
    for (const next of graph.get(module) ?? []) if (graph.has(next)) visit(next, [...path, module]);
  };
  for (const module of graph.keys()) visit(module, []);
  return [...found.values()];
}

test('reads every library module and its imports', () => {
  const graph = importGraph();
  expect(graph.get('lambda/authorizer/token')).toEqual([
    'lambda/authorizer/algorithms',
    'lambda/authorizer/errors',
    'lambda/authorizer/json-number',
  ]);
  for (const imports of graph.values()) for (const target of imports) expect(graph.has(target)).toBe(true);
});

test('finds a cycle, such as token and signature importing each other', () => {
  const graph = new Map([
    ['a/signature', ['a/errors', 'a/token']],
    ['a/token', ['a/errors', 'a/signature']],
    ['a/errors', []],
    ['a/verifier', ['a/signature', 'a/token']],
  ]);
  expect(cycles(graph)).toEqual([['a/signature', 'a/token']]);
});

test('no library module reaches itself through its imports', () => {
  expect(cycles(importGraph())).toEqual([]);
});

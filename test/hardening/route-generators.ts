// fast-check generators for the route properties: tables API Gateway accepts, built valid by construction
// (nesting, literal siblings of variable parts, greedy parts, ANY, HEAD, the root), scope sets, and the
// requests an attacker would send against them (undeclared deeper paths, values equal to literals, `:`, `%2F`,
// `%61dmin`, IAM wildcards, `//`, dot segments, trailing `/`, unicode, long values).
import fc from 'fast-check';
import { REQUEST_METHODS, type Route } from './route-oracle';

export const SCOPES = ['s1', 's2', 'items:read', 'admin'] as const;

/**
 * Literal parts, from API Gateway's part alphabet (A-Za-z0-9:._$-). A few collide with attacker values (`a`,
 * `admin`); `x:y` and `v1.0` put IAM's and URLs' punctuation into the table itself.
 */
const LITERALS = ['items', 'admin', 'a', 'b', 'x:y', 'v1.0', '$batch', 'me-2'] as const;
const VARIABLE_NAMES = ['id', 'org', 'a:b', 'p.q'] as const;
const GREEDY_NAMES = ['proxy', 'rest'] as const;
const TABLE_METHODS = ['GET', 'GET', 'POST', 'ANY', 'HEAD', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'] as const;

type Step =
  | { readonly kind: 'literal'; readonly literal: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(...LITERALS).map((literal) => ({ kind: 'literal', literal }) as const),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...VARIABLE_NAMES).map((name) => ({ kind: 'variable', name }) as const),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...GREEDY_NAMES).map((name) => ({ kind: 'greedy', name }) as const),
  },
);

interface RawRoute {
  readonly method: string;
  /** Which earlier route this one extends, and by how many of its steps: nests resources under each other. */
  readonly base: number;
  readonly keep: number;
  readonly steps: readonly Step[];
  readonly scopes: readonly string[];
}

const rawRoute: fc.Arbitrary<RawRoute> = fc.record({
  method: fc.constantFrom(...TABLE_METHODS),
  base: fc.nat(),
  keep: fc.nat({ max: 4 }),
  steps: fc.array(step, { minLength: 0, maxLength: 3 }),
  scopes: fc.subarray([...SCOPES], { maxLength: 2 }),
});

interface ResourceNode {
  readonly literals: Map<string, ResourceNode>;
  variable?: { readonly part: string; readonly greedy: boolean; readonly node: ResourceNode };
}

const newNode = (): ResourceNode => ({ literals: new Map() });

/**
 * Steps become a resource path through a resource tree, so the table obeys API Gateway's rules by construction:
 * a resource has at most one variable child (greedy or not; a later step reuses it, whatever name it asked
 * for), and a greedy part ends the path; so does a literal with `:` (the project's own rule).
 */
function resourcePath(root: ResourceNode, steps: readonly Step[]): { path: string; steps: Step[] } {
  let node = root;
  const parts: string[] = [];
  const taken: Step[] = [];
  for (const s of steps) {
    taken.push(s);
    if (s.kind === 'literal') {
      let child = node.literals.get(s.literal);
      if (child === undefined) node.literals.set(s.literal, (child = newNode()));
      parts.push(s.literal);
      node = child;
      // The project refuses a literal with `:` before the last part (its policies refuse every path with a
      // `:` before a later `/`, so no such route could be allowed): such a literal ends the path.
      if (s.literal.includes(':')) break;
      continue;
    }
    node.variable ??= {
      part: s.kind === 'greedy' ? `{${s.name}+}` : `{${s.name}}`,
      greedy: s.kind === 'greedy',
      node: newNode(),
    };
    parts.push(node.variable.part);
    if (node.variable.greedy || s.kind === 'greedy') break;
    node = node.variable.node;
  }
  return { path: '/' + parts.join('/'), steps: taken };
}

export function buildTable(raws: readonly RawRoute[]): Route[] {
  const root = newNode();
  const table: Route[] = [];
  const stepsOf: Step[][] = [];
  for (const [i, raw] of raws.entries()) {
    const inherited = i === 0 ? [] : stepsOf[raw.base % i]!.slice(0, raw.keep);
    const built = resourcePath(root, [...inherited, ...raw.steps].slice(0, 5));
    stepsOf.push(built.steps);
    if (table.some((r) => r.method === raw.method && r.path === built.path)) continue;
    table.push({ method: raw.method, path: built.path, scopes: raw.scopes });
  }
  return table;
}

/** A table of 1 to 9 routes that API Gateway accepts (never filtered: every generated table is used). */
export const routeTable: fc.Arbitrary<Route[]> = fc
  .array(rawRoute, { minLength: 1, maxLength: 9 })
  .map(buildTable);

/** Scope sets: empty and all of them as often as any random subset. */
export const grantedScopes: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>([]),
  fc.constant<string[]>([...SCOPES]),
  fc.subarray<string>([...SCOPES]),
);

const LONG = 'x'.repeat(700);

/** Encodings of one literal's characters: `%61dmin`, all of it, or only its last character. */
function encodings(literal: string): string[] {
  const hex = (c: string) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  return [
    hex(literal[0]!) + literal.slice(1),
    [...literal].map(hex).join(''),
    literal.slice(0, -1) + hex(literal.at(-1)!),
  ];
}

/** One segment's value (no `/`): the table's literals and their encodings first, then hostile characters. */
function segmentValue(literals: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('1', '42', 'id-42', 'acme') },
    { weight: 5, arbitrary: fc.constantFrom(...literals, 'invoice') },
    { weight: 2, arbitrary: fc.constantFrom(...literals.flatMap(encodings)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('*', '?', 'x*y', 'a?b', '*admin', ':', 'a:b', ':admin', 'admin:', 'x:y:z'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('1%2Fadmin', '%2F', '%2f', '%252F', '%', '%zz', '%3A', '1%3Fadmin'),
    },
    { weight: 1, arbitrary: fc.constantFrom('.', '..', '...', '.admin') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'é',
        '日本',
        '\u2028',
        'a\nb',
        'a b',
        '\u{1F600}',
        '\uD800',
        'İ',
        'ADMIN',
        'Admin',
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(LONG, `${LONG}:admin`, 'a'.repeat(3000)) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('/')) },
  );
}

/** A greedy part's value: one or more segments, with `:` before and after a `/`. */
function greedyValue(literals: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.array(segmentValue(literals), { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    },
    { weight: 1, arbitrary: fc.constantFrom('a:b/c', 'a/b:c', 'x:/admin', 'admin/x:y', 'a%2Fb/c') },
  );
}

type Shape = 'plain' | 'trailing' | 'deeper' | 'encoded-literal' | 'joined' | 'double-slash' | 'dot';

const shape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Shape>('plain') },
  { weight: 3, arbitrary: fc.constant<Shape>('trailing') },
  { weight: 3, arbitrary: fc.constant<Shape>('deeper') },
  { weight: 1, arbitrary: fc.constant<Shape>('encoded-literal') },
  { weight: 1, arbitrary: fc.constant<Shape>('joined') },
  { weight: 1, arbitrary: fc.constant<Shape>('double-slash') },
  { weight: 1, arbitrary: fc.constant<Shape>('dot') },
);

/** `/items/{id}` with values filled in, then bent into one of the shapes an attacker tries. */
function instantiate(
  routePath: string,
  values: readonly string[],
  greedy: string,
  form: Shape,
  extra: readonly string[],
  at: number,
): string {
  let i = 0;
  const parts = routePath === '/' ? [] : routePath.slice(1).split('/');
  const filled = parts.map((p) =>
    p.endsWith('+}') ? greedy : p.startsWith('{') ? values[i++ % values.length]! : p,
  );
  const path = '/' + filled.join('/');
  const slashes = [...path.matchAll(/\//g)].map((m) => m.index);
  const cut = slashes[at % slashes.length]!;
  switch (form) {
    case 'plain':
      return path;
    case 'trailing':
      return path === '/' ? '//' : `${path}/`;
    case 'deeper':
      return (path === '/' ? '' : path) + '/' + extra.join('/');
    case 'encoded-literal': {
      const literal = parts.findIndex((p) => !p.startsWith('{'));
      if (literal === -1) return path;
      const bent = [...filled];
      bent[literal] = encodings(parts[literal]!)[at % 3]!;
      return '/' + bent.join('/');
    }
    case 'joined':
      return cut === 0 ? path : `${path.slice(0, cut)}%2F${path.slice(cut + 1)}`;
    case 'double-slash':
      return `${path.slice(0, cut)}/${path.slice(cut)}`;
    case 'dot':
      return `${path.slice(0, cut)}/${at % 2 === 0 ? '.' : '..'}${path.slice(cut)}`;
  }
}

export interface Request {
  readonly method: string;
  readonly path: string;
}

/** The literal parts of a table: the values an attacker tries first. */
function literalsOf(table: readonly Route[]): string[] {
  const literals = table.flatMap((r) => r.path.split('/')).filter((p) => p !== '' && !p.startsWith('{'));
  return literals.length > 0 ? [...new Set(literals)] : ['items'];
}

/** A path aimed at one resource path: its values filled in, in some shape. */
export function aimedPath(
  routePath: string,
  table: readonly Route[],
  form: fc.Arbitrary<Shape> = shape,
): fc.Arbitrary<string> {
  const pool = literalsOf(table);
  const value = segmentValue(pool);
  return fc
    .record({
      values: fc.array(value, { minLength: 1, maxLength: 3 }),
      greedy: greedyValue(pool),
      form,
      extra: fc.array(fc.oneof(fc.constantFrom(...pool, 'invoice', 'x'), value), {
        minLength: 1,
        maxLength: 2,
      }),
      at: fc.nat(),
    })
    .map(({ values, greedy, form, extra, at }) => instantiate(routePath, values, greedy, form, extra, at));
}

/** The shapes API Gateway routes to the aimed route (completeness is asked of these). */
export const routedShape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Shape>('plain') },
  { weight: 1, arbitrary: fc.constant<Shape>('trailing') },
);

/** A request aimed at one of the table's routes (in some shape), or at any path at all. */
export function request(table: readonly Route[]): fc.Arbitrary<Request> {
  const concrete = fc.constantFrom(...REQUEST_METHODS);
  const aimed = fc
    .tuple(
      fc.constantFrom(...table),
      fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: concrete }),
      concrete,
    )
    .chain(([route, otherMethod, anyMethod]) =>
      aimedPath(route.path, table).map((path) => ({
        method: otherMethod ?? (route.method === 'ANY' ? anyMethod : route.method),
        path,
      })),
    );
  const value = segmentValue(literalsOf(table));
  const anyPath = fc.record({
    method: concrete,
    path: fc.oneof(
      { weight: 5, arbitrary: fc.array(value, { minLength: 0, maxLength: 5 }).map((s) => '/' + s.join('/')) },
      { weight: 1, arbitrary: fc.constantFrom('/', '//', '/.', '/..', '/*', '/?', '/%2F', '/:') },
    ),
  });
  return fc.oneof({ weight: 8, arbitrary: aimed }, { weight: 1, arbitrary: anyPath });
}

/** The (httpMethod, resourcePath) a REQUEST event names: mostly declared, sometimes not. */
export function calledRoute(table: readonly Route[]): fc.Arbitrary<{ method: string; resourcePath: string }> {
  const concrete = fc.constantFrom(...REQUEST_METHODS);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...table), concrete)
        .map(([r, m]) => ({ method: r.method === 'ANY' ? m : r.method, resourcePath: r.path })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...table), concrete)
        .map(([r, m]) => ({ method: m, resourcePath: r.path })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...table), concrete, fc.constantFrom('invoice', '{id}', 'admin/x', '{proxy+}'))
        .map(([r, m, more]) => ({
          method: r.method === 'ANY' ? m : r.method,
          resourcePath: `${r.path === '/' ? '' : r.path}/${more}`,
        })),
    },
  );
}

// `npm run jwks-seed` flags: one source of keys, the seed file, a private CA, a timeout; errors name the flag.
import { SeedToolUsageError, parseJwksSeedArgs } from '../../infra/constructs/seed-tool-args';

test.each<[string, string[], unknown]>([
  [
    '--issuer, with the defaults',
    ['--issuer', 'https://id.example.com/'],
    {
      help: false,
      command: 'seed',
      source: { kind: 'issuer', issuer: 'https://id.example.com/' },
      out: 'jwks-seed.json',
      caFile: undefined,
      timeoutMs: 5000,
    },
  ],
  [
    '--jwks-uri= with every option',
    [
      '--jwks-uri=https://id.example.com/keys',
      '--out',
      'seed/k.json',
      '--ca-file=ca.pem',
      '--timeout-ms',
      '250',
    ],
    {
      help: false,
      command: 'seed',
      source: { kind: 'jwks-uri', jwksUri: 'https://id.example.com/keys' },
      out: 'seed/k.json',
      caFile: 'ca.pem',
      timeoutMs: 250,
    },
  ],
  ['--help', ['--issuer', 'https://id.example.com', '--help'], { help: true }],
  [
    '--check, with the defaults',
    ['--check', 'https://tenant.eu.auth0.com'],
    {
      help: false,
      command: 'check',
      issuer: 'https://tenant.eu.auth0.com',
      caFile: undefined,
      timeoutMs: 5000,
    },
  ],
  [
    '--check= with a CA and a timeout',
    ['--check=https://id.example.com/', '--ca-file', 'ca.pem', '--timeout-ms=800'],
    { help: false, command: 'check', issuer: 'https://id.example.com/', caFile: 'ca.pem', timeoutMs: 800 },
  ],
])('%s', (_name, argv, expected) => {
  expect(parseJwksSeedArgs(argv)).toEqual(expected);
});

test.each<[string, string[], string, string]>([
  ['nothing', [], 'jwks-seed', 'jwks-seed needs exactly one of --issuer URL or --jwks-uri URL'],
  [
    'both sources',
    ['--issuer', 'https://a.example', '--jwks-uri', 'https://a.example/k'],
    'jwks-seed',
    'jwks-seed needs exactly one of --issuer URL or --jwks-uri URL',
  ],
  ['an unknown flag', ['--url', 'https://a'], '--url', '--url is not a jwks-seed flag (see --help)'],
  ['a flag twice', ['--out', 'a', '--out', 'b'], '--out', '--out is given twice'],
  ['a missing value', ['--issuer'], '--issuer', '--issuer needs a value'],
  [
    'an http issuer',
    ['--issuer', 'http://id.example.com'],
    '--issuer',
    '--issuer must be an absolute https URL; got "http://id.example.com"',
  ],
  [
    'a JWKS URI that is no URL',
    ['--jwks-uri', 'keys'],
    '--jwks-uri',
    '--jwks-uri must be an absolute https URL; got "keys"',
  ],
  [
    'an http issuer to check',
    ['--check', 'http://id.example.com'],
    '--check',
    '--check must be an absolute https URL; got "http://id.example.com"',
  ],
  [
    '--check with --out',
    ['--check', 'https://id.example.com', '--out', 'seed.json'],
    '--out',
    '--out cannot be given with --check, which writes nothing',
  ],
  [
    '--check with --issuer',
    ['--issuer', 'https://id.example.com', '--check', 'https://id.example.com'],
    '--issuer',
    '--issuer cannot be given with --check, which writes nothing',
  ],
  [
    'a timeout that is no number',
    ['--issuer', 'https://a.example', '--timeout-ms', '5s'],
    '--timeout-ms',
    '--timeout-ms must be whole milliseconds, at least 100; got "5s"',
  ],
  [
    'a timeout too short to complete a TLS handshake',
    ['--issuer', 'https://a.example', '--timeout-ms', '10'],
    '--timeout-ms',
    '--timeout-ms must be whole milliseconds, at least 100; got "10"',
  ],
])('%s is refused, naming the flag', (_name, argv, setting, message) => {
  let error: unknown;
  try {
    parseJwksSeedArgs(argv);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SeedToolUsageError);
  expect(error).toMatchObject({ code: 'SEED_TOOL_USAGE', setting, message });
});

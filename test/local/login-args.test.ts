// npm run login flags.
import { parseLoginArgs } from '../../local/login-client';

describe('parseLoginArgs', () => {
  test.each([
    [
      [],
      {
        user: undefined,
        password: undefined,
        headless: false,
        scope: undefined,
        shortLived: false,
        clientCredentials: false,
        dpop: false,
        mtls: false,
        help: false,
      },
    ],
    [
      ['--user', 'alice', '--headless'],
      {
        user: 'alice',
        password: undefined,
        headless: true,
        scope: undefined,
        shortLived: false,
        clientCredentials: false,
        dpop: false,
        mtls: false,
        help: false,
      },
    ],
    [
      ['--user=bob', '--password=pw', '--scope', ' items:read   items:write ', '--short-lived', '--headless'],
      {
        user: 'bob',
        password: 'pw',
        headless: true,
        scope: 'items:read items:write',
        shortLived: true,
        clientCredentials: false,
        dpop: false,
        mtls: false,
        help: false,
      },
    ],
    [
      ['-h'],
      {
        user: undefined,
        password: undefined,
        headless: false,
        scope: undefined,
        shortLived: false,
        clientCredentials: false,
        dpop: false,
        mtls: false,
        help: true,
      },
    ],
    [
      ['--client-credentials'],
      {
        user: undefined,
        password: undefined,
        headless: false,
        scope: undefined,
        shortLived: false,
        clientCredentials: true,
        dpop: false,
        mtls: false,
        help: false,
      },
    ],
    [
      ['--user', 'alice', '--headless', '--dpop'],
      {
        user: 'alice',
        password: undefined,
        headless: true,
        scope: undefined,
        shortLived: false,
        clientCredentials: false,
        dpop: true,
        mtls: false,
        help: false,
      },
    ],
    [
      ['--user', 'bob', '--headless', '--mtls', '--scope=items:read'],
      {
        user: 'bob',
        password: undefined,
        headless: true,
        scope: 'items:read',
        shortLived: false,
        clientCredentials: false,
        dpop: false,
        mtls: true,
        help: false,
      },
    ],
  ])('%j', (argv, expected) => {
    expect(parseLoginArgs(argv)).toEqual(expected);
  });

  test.each([
    [['--headless'], '--headless needs --user NAME'],
    [['--user'], '--user needs a value'],
    [['--scope='], '--scope needs a value'],
    [['--verbose'], '--verbose is not a login flag (see --help)'],
    [['--client-credentials', '--dpop'], '--dpop is for the user login (Authorization Code + PKCE) only'],
    [['--client-credentials', '--mtls'], '--mtls is for the user login (Authorization Code + PKCE) only'],
    [['--mtls', '--dpop'], '--mtls and --dpop cannot be combined: the issuer binds a token one way only'],
    [
      ['--mtls', '--short-lived'],
      '--mtls uses its own client, which has the normal token lifetime; drop --short-lived',
    ],
    [
      ['--client-credentials', '--user', 'alice'],
      '--client-credentials takes no --user: the demo service has no user, and its permissions come as roles',
    ],
    [
      ['--scope', 'items:write', '--client-credentials'],
      '--client-credentials takes no --scope: the demo service has no user, and its permissions come as roles',
    ],
  ])('%j is refused', (argv, message) => {
    expect(() => parseLoginArgs(argv)).toThrow(message);
  });
});

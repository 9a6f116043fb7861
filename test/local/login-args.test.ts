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
        help: true,
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
  ])('%j is refused', (argv, message) => {
    expect(() => parseLoginArgs(argv)).toThrow(message);
  });
});

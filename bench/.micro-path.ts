import { setLogSink } from '../lambda/shared/log';
import { decodeToken } from '../lambda/authorizer/token';
import { parseBearer } from '../lambda/authorizer/bearer';
import { parseMethodArn, decideRoutes, buildPolicy } from '../lambda/authorizer/policy';
import { grantedScopes } from '../lambda/authorizer/scopes';
import { toRouteRules } from '../lambda/routes';
import { startFixtures, METHOD_ARN } from './fixtures';
import { createCandidates } from './candidates';
setLogSink(() => undefined);
function time(name: string, n: number, fn: (i: number) => void) {
  for (let i = 0; i < n / 5; i++) fn(i);
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    runs.push(((performance.now() - t) * 1000) / n);
  }
  runs.sort((a, b) => a - b);
  console.log(name.padEnd(40), runs[3]!.toFixed(2), 'µs');
}
(async () => {
  const f = await startFixtures();
  const routes = toRouteRules();
  for (const alg of ['RS256', 'ES256'] as const) {
    const tokens = f.tokens(alg, 200);
    time(`${alg} parseBearer`, 20000, (i) => {
      parseBearer(`Bearer ${tokens[i % 200]}`, 8192);
    });
    time(`${alg} decodeToken`, 20000, (i) => {
      decodeToken(tokens[i % 200]!);
    });
    const payload = decodeToken(tokens[0]!).payload;
    time(`${alg} arn+scopes+decide+policy`, 20000, () => {
      const arn = parseMethodArn(METHOD_ARN);
      const g = grantedScopes(payload);
      const d = decideRoutes(arn, routes, g);
      buildPolicy(arn, 'x', d, { sub: 'x', scope: [...g].join(' ') });
    });
    const cands = await createCandidates(f, alg, tokens.slice(0, 5));
    for (let k = 0; k < 3; k++)
      for (const c of cands.filter(
        (c) => c.id === 'aws-jwt-verify' || c.id === 'handler-error' || c.id === 'floor',
      )) {
        const t = performance.now();
        for (let rep = 0; rep < 5; rep++)
          for (const tok of tokens) {
            const r = c.run(tok);
            if (r instanceof Promise) await r;
          }
        console.log(alg, c.id.padEnd(20), (((performance.now() - t) * 1000) / 1000).toFixed(1));
      }
  }
  await f.close();
  process.exit(0);
})();

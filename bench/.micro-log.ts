import { openSync, writeSync } from 'node:fs';
import { createLogger, setLogSink } from '../lambda/shared/log';
import { parseMethodArn, decideRoutes, permits } from '../lambda/authorizer/policy';
import { toRouteRules } from '../lambda/routes';
const fd = openSync('/dev/null', 'w');
const arn = parseMethodArn('arn:aws:execute-api:us-east-1:123456789012:bench123/prod/GET/items');
const decision = decideRoutes(arn, toRouteRules(), new Set(['items:read', 'items:write']));
const log = createLogger('authorizer', 'info');
function time(name: string, n: number, fn: () => void) {
  for (let i = 0; i < n / 5; i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    runs.push(((performance.now() - t) * 1000) / n);
  }
  runs.sort((a, b) => a - b);
  console.log(name.padEnd(40), runs[3]!.toFixed(2), 'µs');
}
const fields = () => ({
  decision: 'allow',
  reason: 'ALLOWED',
  route: `${arn.method} ${arn.path}`,
  sub: 'user-1-4b0f6a3e-1f0c-4d7e-9a53-5a9d7c1e2f00',
  clientId: 'client-1',
  kid: 'rs256-2b4a2f3c-7f0e-4a0e-8b5b-1e2d3c4b5a69',
  allowedRoutes: 3,
  latencyMs: Math.round(performance.now() * 1000) / 1000,
});
time('permits', 20000, () => {
  permits(arn, decision);
});
time('fields object', 20000, () => {
  fields();
});
time('new Date().toISOString()', 20000, () => {
  new Date().toISOString();
});
const line = JSON.stringify({
  level: 'info',
  service: 'authorizer',
  message: 'authorization',
  timestamp: new Date().toISOString(),
  ...fields(),
});
console.log('line bytes', line.length);
time('JSON.stringify spread', 20000, () => {
  JSON.stringify({
    level: 'info',
    service: 'authorizer',
    message: 'authorization',
    timestamp: new Date().toISOString(),
    ...fields(),
  });
});
time('writeSync /dev/null', 20000, () => {
  writeSync(fd, line + '\n');
});
setLogSink(() => undefined);
time('log.info noop sink', 20000, () => {
  log.info('authorization', fields());
});
setLogSink((l) => {
  writeSync(fd, l + '\n');
});
time('log.info devnull sink', 20000, () => {
  log.info('authorization', fields());
});
time('permits + log.info devnull', 20000, () => {
  permits(arn, decision);
  log.info('authorization', fields());
});

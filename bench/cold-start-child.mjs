// A fresh process standing in for a Lambda cold start: load the deployed bundle, authorize one token, report
// the outcome and the memory after that first decision on one stdout line, exit. Plain JavaScript so that
// node runs it without a TypeScript loader in the way.
//
// With --watch-refresh it does not exit at once: it keeps the event loop turning until the authorizer logs that
// its background refresh replaced the JWKS seed (JWKS_SEED_REPLACED), or for 3 s, and reports how long after the
// decision that was and the longest the event loop was held meanwhile: what the refresh costs whatever the
// function does next (on Lambda, the second request, if the refresh has not finished before it).
import { pathToFileURL } from 'node:url';

const [bundleFile, token, methodArn, watch] = process.argv.slice(2);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
let replacedAt;
if (watch === '--watch-refresh') {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    if (replacedAt === undefined && String(chunk).includes('"code":"JWKS_SEED_REPLACED"'))
      replacedAt = nowMs();
    return write(chunk, ...rest);
  };
}
const { handler } = await import(pathToFileURL(bundleFile).href);
let outcome;
try {
  const result = await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn });
  outcome = result?.policyDocument?.Statement?.[0]?.Effect === 'Allow' ? 'allow' : 'deny';
} catch (error) {
  // The authorizer's failure, as API Gateway would see it: a 401 ('Unauthorized') or a 5xx with a code.
  outcome = `error ${error?.code ?? error?.message}`;
}
const { rss, heapUsed } = process.memoryUsage();
const report = { outcome, rss, heapUsed };
if (watch === '--watch-refresh') {
  const decidedAt = nowMs();
  let last = decidedAt;
  let longestPauseMs = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = nowMs();
      longestPauseMs = Math.max(longestPauseMs, now - last);
      last = now;
      if (replacedAt !== undefined || now - decidedAt > 3000) resolve();
      else globalThis.setImmediate(tick);
    };
    globalThis.setImmediate(tick);
  });
  report.longestPauseMs = longestPauseMs;
  report.replacedAfterMs = replacedAt === undefined ? null : replacedAt - decidedAt;
}
process.stdout.write(`\n${JSON.stringify({ bench: report })}\n`);
// Exit at once, as the benchmark's end point: keep-alive sockets and background refreshes must not hold the
// process open.
process.exit(0);

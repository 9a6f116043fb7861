// A fresh process standing in for a Lambda cold start: load the deployed bundle, authorize one token, report
// the outcome and the memory after that first decision on one stdout line, exit. Plain JavaScript so that
// node runs it without a TypeScript loader in the way.
import { pathToFileURL } from 'node:url';

const [bundleFile, token, methodArn] = process.argv.slice(2);
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
process.stdout.write(`\n${JSON.stringify({ bench: { outcome, rss, heapUsed } })}\n`);
// Exit at once, as the benchmark's end point: keep-alive sockets and background refreshes must not hold the
// process open.
process.exit(0);

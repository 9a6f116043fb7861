// A fresh process standing in for a Lambda cold start: load the deployed bundle, authorize one token, exit.
// Plain JavaScript so that node runs it without a TypeScript loader in the way.
import { pathToFileURL } from 'node:url';

const [bundleFile, token, methodArn] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundleFile).href);
const result = await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn });
// Exit at once, as the benchmark's end point: keep-alive sockets must not hold the process open.
process.exit(result?.policyDocument?.Statement?.[0]?.Effect === 'Allow' ? 0 : 3);

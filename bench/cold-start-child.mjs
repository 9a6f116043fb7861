// A fresh process standing in for a Lambda cold start: load the deployed bundle, authorize one token, report
// the outcome and the memory after that first decision on one stdout line, exit. Plain JavaScript so that
// node runs it without a TypeScript loader in the way.
//
// With --runtime it goes on as Lambda's Node.js 24 runtime does between invocations, for one token after another
// (the tokens comma-separated). Its runtime interface client (aws-lambda-nodejs-runtime-interface-client, the
// rewrite that serves Node.js 22 and 24: LifecycleManager.succeed) posts the answer from an immediate it queues
// once the handler's promise has settled, so whatever the handler queued before that (a background refresh's
// set-up) runs first, and then asks for the next invocation within that turn's microtasks. There the sandbox may
// freeze: right after the answer, the process prints `bench:next` and blocks on stdin until the parent writes a
// line, so that nothing runs in between, the worst case. The next event is handed to the handler from an
// immediate, after whatever I/O became ready while frozen (also the worst case). Each invocation reports how long
// its answer took from the thaw (from the import, for the first).
//
// With --provisioned too, the process stands in for an instance initialized ahead of traffic (provisioned
// concurrency): after the import (the init, its top-level await included) it freezes once before request 1, as
// such an instance waits for traffic, and request 1 is timed from that thaw like the others.
import { readSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// Every Lambda Node.js runtime interface client loads node:http before it loads the handler (the older one
// requires it for its Runtime API client, the rewrite imports it at the top of its client), so net, stream and
// http are in memory when a handler first uses them: loaded here the same way, before the bundle.
process.getBuiltinModule('node:http');

const [bundleFile, tokenList, methodArn, mode, provisioned] = process.argv.slice(2);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
/** CPU time of every thread since the process started: less moved by a busy machine than the wall clock. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** API Gateway's view of a decision: 'allow', 'deny', or the authorizer's failure ('error CODE'). */
function outcomeOf(settled) {
  if (settled.status === 'rejected') {
    const error = settled.reason;
    // A 401 ('Unauthorized') or a 5xx with a code.
    return `error ${error?.code ?? error?.message}`;
  }
  return settled.value?.policyDocument?.Statement?.[0]?.Effect === 'Allow' ? 'allow' : 'deny';
}

const event = (token) => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn });

if (mode !== '--runtime') {
  const { handler } = await import(pathToFileURL(bundleFile).href);
  const [settled] = await Promise.allSettled([handler(event(tokenList))]);
  const { rss, heapUsed } = process.memoryUsage();
  const report = { outcome: outcomeOf(settled), rss, heapUsed, cpuMs: cpuMs() };
  writeSync(1, `\n${JSON.stringify({ bench: report })}\n`);
  // Exit at once, as the benchmark's end point: keep-alive sockets and background refreshes must not hold the
  // process open.
  process.exit(0);
}

const tokens = tokenList.split(',');
const invocations = [];
let received = nowMs();
const { handler } = await import(pathToFileURL(bundleFile).href);

/** Blocks the whole thread, timers and I/O callbacks included, until the parent writes a line: a frozen sandbox. */
function freeze() {
  writeSync(1, '\nbench:next\n');
  const buffer = Buffer.alloc(64);
  while (!buffer.subarray(0, readSync(0, buffer, 0, buffer.length, null)).includes(10));
}

function invoke(i) {
  handler(event(tokens[i]))
    .then(
      (value) => ({ status: 'fulfilled', value }),
      (reason) => ({ status: 'rejected', reason }),
    )
    .then((settled) => {
      globalThis.setImmediate(() => {
        const answeredAt = nowMs();
        invocations.push({ outcome: outcomeOf(settled), latencyMs: answeredAt - received });
        if (i + 1 === tokens.length) {
          const { rss, heapUsed } = process.memoryUsage();
          const report = {
            outcome: invocations[0].outcome,
            rss,
            heapUsed,
            cpuMs: cpuMs(),
            invocations,
          };
          writeSync(1, `\n${JSON.stringify({ bench: report })}\n`);
          process.exit(0);
        }
        freeze();
        received = nowMs();
        globalThis.setImmediate(() => invoke(i + 1));
      });
    });
}

if (provisioned === '--provisioned') {
  // The init is over; the instance waits for traffic, and the first event is handed over as after any thaw.
  freeze();
  received = nowMs();
  globalThis.setImmediate(() => invoke(0));
} else {
  invoke(0);
}

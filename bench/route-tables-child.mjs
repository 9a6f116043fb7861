// One fresh process of the route-table bench: load the deployed bundle (its route table and JWKS seed in files
// beside it, as the construct ships them), time its load, its first decision, then later decisions of the same
// scope set, then warm rounds of a short path against two 8 KB paths; report on one line, exit.
// Plain JavaScript so that node runs it without a TypeScript loader in the way.
//
// The authorizer's log lines go, one write each as on Lambda, to file descriptor 1: a file the parent opened
// (BENCH_LOG_FILE), which the child reads back after each decision for its `reason`, untimed. The bench's own
// report goes to file descriptor 3.
import { openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundleFile, jobFile] = process.argv.slice(2);
const job = JSON.parse(readFileSync(jobFile, 'utf8'));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

const log = openSync(process.env.BENCH_LOG_FILE, 'r');
const chunk = Buffer.alloc(64 * 1024);
let logRead = 0;
let partial = '';
let lastReason;
let seedReplaced = false;
/** Reads the lines the authorizer wrote since the last call. */
function readLog() {
  for (let n; (n = readSync(log, chunk, 0, chunk.length, logRead)) > 0; logRead += n) {
    const lines = (partial + chunk.toString('utf8', 0, n)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"message":"authorization"')) lastReason = /"reason":"([A-Z_]+)"/.exec(line)?.[1];
      else if (line.includes('"code":"JWKS_SEED_REPLACED"')) seedReplaced = true;
    }
  }
}
const report = (value) => {
  writeSync(3, `${JSON.stringify({ bench: value })}\n`);
  // Exit at once: keep-alive sockets and background refreshes must not hold the process open.
  process.exit(0);
};

const loadStarted = nowMs();
const { handler } = await import(pathToFileURL(bundleFile).href);
const loadMs = nowMs() - loadStarted;

/** One decision: its time and what it decided, or the error API Gateway would see. */
async function decide(token, methodArn) {
  lastReason = undefined;
  const started = nowMs();
  try {
    const result = await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn });
    const ms = nowMs() - started;
    readLog();
    return { ms, result, outcome: lastReason ?? 'none' };
  } catch (error) {
    return { ms: nowMs() - started, outcome: `error ${error?.code ?? error?.message}` };
  }
}

const first = await decide(job.tokens[0], job.methodArns.short);
if (first.result === undefined) report({ loadMs, firstMs: first.ms, outcome: first.outcome });
const statements = first.result.policyDocument.Statement;
const resources = (effect) =>
  statements.filter((s) => s.Effect === effect).reduce((n, s) => n + [s.Resource].flat().length, 0);

// A seeded authorizer refreshes its keys in the background after the first decision: its TLS set-up would land
// on the timed decisions below, so they wait for it (at most 3 s).
const waitStarted = nowMs();
while (!seedReplaced && nowMs() - waitStarted < 3000) {
  await new Promise((resolve) => globalThis.setTimeout(resolve, 5));
  readLog();
}

let next = 1;
const laterMs = [];
for (let i = 0; i < job.laterDecisions; i++)
  laterMs.push((await decide(job.tokens[next++], job.methodArns.short)).ms);

// Interleaved, each round in a rotated order, so a slow stretch of the machine falls on every kind alike.
const kinds = Object.keys(job.methodArns);
const pathMs = Object.fromEntries(kinds.map((k) => [k, []]));
const pathOutcome = {};
for (let round = 0; round < job.pathRounds; round++) {
  const shift = round % kinds.length;
  for (const kind of [...kinds.slice(shift), ...kinds.slice(0, shift)]) {
    const decision = await decide(job.tokens[next++], job.methodArns[kind]);
    pathMs[kind].push(decision.ms);
    pathOutcome[kind] = decision.outcome;
  }
}

report({
  loadMs,
  firstMs: first.ms,
  outcome: first.outcome,
  allowResources: resources('Allow'),
  denyResources: resources('Deny'),
  policyBytes: Buffer.byteLength(JSON.stringify(first.result.policyDocument)),
  seedReplaced,
  laterMs,
  pathMs,
  pathOutcome,
});

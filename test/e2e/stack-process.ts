// Runs `npm start` (local/start.ts) and `npm run login` as child processes for the end-to-end tests:
// oidc-provider and oauth4webapi are ESM only, and jest runs tests as CommonJS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dpopKeyPath } from '../../local/login-client';
import { readStackFile, type LocalStackInfo } from '../../local/stack-file';
import type { TestKey } from '../support/keys';

const ROOT = resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 45_000;

export interface StackProcess {
  readonly info: LocalStackInfo;
  readonly stackFile: string;
  readonly child: ChildProcess;
  /** Everything the stack printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops the process if it still runs and removes its temporary directory. */
  cleanup(): Promise<void>;
}

/** `node --import tsx` directly (not npx), so the pid is the stack itself and signals reach it. */
function tsxNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
}

export async function startStack(extraEnv: Readonly<Record<string, string>>): Promise<StackProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-e2e-'));
  const stackFile = join(dir, 'local-stack.json');
  const child = tsxNode('local/start.ts', [], {
    ...process.env,
    // Free ports for everything the stack serves, so that test files and other runs go side by side.
    API_PORT: '0',
    ISSUER_PORT: '0',
    APP_PORT: '0',
    LOCAL_STACK_FILE: stackFile,
    ...extraEnv,
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    const exited = exitOf(child);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const cleanup = async (): Promise<void> => {
    await stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  // The stack file is written after the `api:` line, once everything is ready.
  const ready = await new Promise<boolean>((resolvePromise) => {
    const deadline = setTimeout(() => resolvePromise(false), READY_TIMEOUT_MS);
    const check = (): void => {
      if (/^api: https?:\/\/127\.0\.0\.1:\d+$/m.test(log) && log.includes('ready.')) {
        clearTimeout(deadline);
        resolvePromise(true);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => {
      clearTimeout(deadline);
      resolvePromise(false);
    });
  });
  if (!ready) {
    await cleanup();
    throw new Error(`the local stack did not become ready:\n${log}`);
  }
  return { info: readStackFile(stackFile), stackFile, child, output: () => log, stop, cleanup };
}

export interface LoginRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run login -- <args>` against the stack, as a script would run it. `onStderr` sees stderr as it
 * arrives (the interactive mode prints the URL there and then waits).
 */
export async function runLogin(
  stack: StackProcess,
  args: readonly string[],
  onStderr?: (soFar: string) => void,
): Promise<LoginRun> {
  const child = tsxNode('local/login.ts', args, { ...process.env, LOCAL_STACK_FILE: stack.stackFile });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    onStderr?.(stderr);
  });
  const code = await exitOf(child);
  return { code, stdout, stderr };
}

/** A headless login that must succeed; returns the access token (the only thing on stdout). */
export async function loginToken(
  stack: StackProcess,
  user: string,
  extraArgs: readonly string[] = [],
): Promise<string> {
  const run = await runLogin(stack, ['--user', user, '--headless', ...extraArgs]);
  if (run.code !== 0) throw new Error(`login as ${user} failed (${run.code}): ${run.stderr}`);
  return run.stdout.trim();
}

/** `npm run revoke -- <args>` against the stack, as a person would run it. */
export async function runRevoke(stack: StackProcess, args: readonly string[]): Promise<LoginRun> {
  const child = tsxNode('local/revoke.ts', args, { ...process.env, LOCAL_STACK_FILE: stack.stackFile });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await exitOf(child);
  return { code, stdout, stderr };
}

/** `TOKEN=<token> npm run call -- <args>` against the stack: a DPoP-signed call with the login's key file. */
export async function runCall(
  stack: StackProcess,
  token: string,
  args: readonly string[],
): Promise<LoginRun> {
  const child = tsxNode('local/call.ts', args, {
    ...process.env,
    LOCAL_STACK_FILE: stack.stackFile,
    TOKEN: token,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await exitOf(child);
  return { code, stdout, stderr };
}

/** The DPoP key `npm run login -- --dpop` wrote for `stack`, as the test helpers' key type (public JWK members only in `jwk`). */
export function loginDpopKey(stack: Pick<StackProcess, 'stackFile'>): TestKey {
  const jwk = JSON.parse(readFileSync(dpopKeyPath(stack.stackFile), 'utf8')) as Record<string, string>;
  const { d: _d, ...publicJwk } = jwk;
  return {
    kid: 'login-dpop-key',
    alg: 'ES256',
    privateKey: createPrivateKey({ key: jwk, format: 'jwk' }),
    publicKey: createPublicKey({ key: publicJwk, format: 'jwk' }),
    jwk: publicJwk,
  };
}

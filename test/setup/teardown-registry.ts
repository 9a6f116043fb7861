// Global setup and teardown run in the same process; this list carries the stop functions between them.
// It lives on globalThis because jest may load the two entry files through separate module registries.
type Stop = () => void | Promise<void>;
const KEY = Symbol.for('bearer-gate.test.teardowns');
const holder = globalThis as unknown as Record<symbol, Stop[] | undefined>;

function stops(): Stop[] {
  return (holder[KEY] ??= []);
}

export function registerTeardown(stop: Stop): void {
  stops().push(stop);
}

/** Runs every stop function, newest first, even when one fails; then throws the first failure. */
export async function runTeardowns(): Promise<void> {
  const list = stops();
  const failures: unknown[] = [];
  while (list.length > 0) {
    const stop = list.pop();
    try {
      if (stop) await stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

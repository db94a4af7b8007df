// Test hooks of the worker pool. Internal: src/index.ts does not export this module, and the public
// WorkerPool class carries none of these; they reach its private members (TypeScript allows
// element access to them), so a change to those members breaks these hooks at compile time.
import { Ctl } from './protocol.js';
import type { WorkerPool } from './pool.js';

/** Worker `index` (1-based) takes a chunk of the next run and exits without finishing it, as if it crashed. */
export function dieAtNextRun(pool: WorkerPool, index: number): void {
  pool['post']({ type: 'die', index });
  pool['signal']();
}

/** Terminates worker `index` (1-based) as an external kill would (the pool learns it as a death). */
export async function terminateWorker(pool: WorkerPool, index: number): Promise<void> {
  // The handle's terminate() marks the end as expected, so report the death as its 'exit' event would.
  await pool['workers'][index - 1].terminate();
  pool['onWorkerDead'](index, 'worker was terminated');
}

/** Instances the workers hold, all together (each worker updates it as it receives messages). */
export function workerInstances(pool: WorkerPool): number {
  return Atomics.load(pool['ctl'], Ctl.instances);
}

/** Makes `pool` behave as if Atomics.waitAsync were missing (a non-blocking caller then waits for a 'done' message). */
export function withoutWaitAsync(pool: WorkerPool): WorkerPool {
  pool['useWaitAsync'] = false;
  return pool;
}

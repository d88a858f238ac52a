import { startReconcileLoop } from '../../local/reconcile-loop.js';
import { sleep } from '../support/reconciler.js';

describe('startReconcileLoop (npm start)', () => {
  it('runs the reconciler every RECONCILE_INTERVAL_SECONDS and never two runs at once', async () => {
    let runs = 0;
    let running = 0;
    let overlapped = false;
    const handler = async () => {
      runs += 1;
      running += 1;
      overlapped ||= running > 1;
      await sleep(1500);
      running -= 1;
    };

    const stop = startReconcileLoop(handler, () => {}, { RECONCILE_INTERVAL_SECONDS: '1' });
    await sleep(3300);
    await stop();

    // Ticks at 1 s (runs until 2.5 s), 2 s (skipped: still running) and 3 s.
    expect(runs).toBe(2);
    expect(overlapped).toBe(false);
  });
});

import { retryUntilMade } from '../../shared/retry-until-made.js';

describe('retryUntilMade', () => {
  it('makes the value once, however many callers ask at the same time', async () => {
    let made = 0;
    const value = retryUntilMade(async () => ({ n: ++made }));

    const [a, b] = await Promise.all([value.get(), value.get()]);

    expect(a).toBe(b);
    expect(await value.get()).toBe(a);
    expect(made).toBe(1);
    expect(value.made()).toBe(a);
  });

  it('forgets a failed attempt, so the next caller tries again', async () => {
    let attempts = 0;
    const value = retryUntilMade(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('secrets extension not ready');
      return 'clients';
    });

    await expect(value.get()).rejects.toThrow('secrets extension not ready');
    expect(value.made()).toBeUndefined();
    expect(await value.get()).toBe('clients');
    expect(attempts).toBe(2);
  });
});

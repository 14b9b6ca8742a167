/**
 * At most `size` holders at once; the others wait in order. `acquire` gives the release
 * function (calling it twice releases once); `run` holds a slot for the length of a call.
 */
export function createSemaphore(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  const acquire = async (): Promise<() => void> => {
    if (free > 0) {
      free--;
      return once(release);
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
    return once(release);
  };
  return {
    acquire,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const done = await acquire();
      try {
        return await fn();
      } finally {
        done();
      }
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

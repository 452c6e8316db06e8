/** The error a promise rejects with; fails the test if it resolves instead. */
export function failure<E = Error>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error("expected the operation to fail");
    },
    (error: unknown) => error as E,
  );
}

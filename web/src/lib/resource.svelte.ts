import { untrack } from 'svelte';
import { isAbort } from '../api/client.ts';

export type ResourceState<T> =
  | { status: 'loading'; data: T | undefined; error: undefined }
  | { status: 'ready'; data: T; error: undefined }
  | { status: 'failed'; data: T | undefined; error: unknown };

/**
 * Data a component loads over the network: loading, ready or failed, keeping the last data while
 * it reloads. Create it while the component initialises. A request is cancelled when the
 * component is destroyed or a newer request starts. Reactive state that the loader reads before
 * its first `await` (say `router.query.get('segment')`) is tracked: changing it loads again.
 */
export class Resource<T> {
  #state = $state.raw<ResourceState<T>>({ status: 'loading', data: undefined, error: undefined });
  #generation = $state(0);

  constructor(load: (signal: AbortSignal) => Promise<T>) {
    $effect(() => {
      // Read so that reload(), which bumps it, runs this effect again.
      const generation = this.#generation;
      const controller = new AbortController();
      let promise: Promise<T>;
      try {
        promise = load(controller.signal);
      } catch (error) {
        promise = Promise.reject(error);
      }
      untrack(() => this.#follow(promise, controller.signal, generation));
      return () => controller.abort();
    });
  }

  get status(): ResourceState<T>['status'] {
    return this.#state.status;
  }

  /** The latest data, also while a reload runs or after it failed; undefined before any. */
  get data(): T | undefined {
    return this.#state.data;
  }

  get error(): unknown {
    return this.#state.error;
  }

  get loading(): boolean {
    return this.#state.status === 'loading';
  }

  /** Load again, e.g. from a "Try again" button. */
  reload(): void {
    this.#generation += 1;
  }

  #follow(promise: Promise<T>, signal: AbortSignal, generation: number): void {
    this.#state = { status: 'loading', data: this.#state.data, error: undefined };
    const current = () => !signal.aborted && generation === this.#generation;
    promise.then(
      (data) => {
        if (current()) this.#state = { status: 'ready', data, error: undefined };
      },
      (error: unknown) => {
        if (current() && !isAbort(error)) {
          this.#state = { status: 'failed', data: this.#state.data, error };
        }
      },
    );
  }
}

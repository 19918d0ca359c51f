/**
 * A minimal observable state container for the catalogue page.
 */

export type Listener<S> = (state: S, prev: S) => void;
export type Updater<S> = Partial<S> | ((state: S) => Partial<S>);

/**
 * Holds application state and notifies subscribers when it changes.
 * Updates are shallow merges; state objects are never mutated in place,
 * so listeners can compare `state` and `prev` by reference.
 */
export class Store<S extends object> {
  private state: S;
  private listeners = new Set<Listener<S>>();
  private batching = 0;
  private pendingPrev: S | null = null;

  constructor(initial: S) {
    this.state = initial;
  }

  /** Returns the current state. */
  getState(): S {
    return this.state;
  }

  /**
   * Merges a partial update into the state and notifies listeners, unless
   * nothing changed or a batch is open.
   */
  setState(update: Updater<S>): void {
    const patch = typeof update === "function" ? update(this.state) : update;
    const changed = Object.keys(patch).some((k) => (patch as any)[k] !== (this.state as any)[k]);
    if (!changed) return;
    const prev = this.state;
    this.state = { ...prev, ...patch };
    if (this.batching > 0) {
      this.pendingPrev ??= prev;
      return;
    }
    this.emit(prev);
  }

  /**
   * Registers a listener and returns the function that removes it.
   */
  subscribe(listener: Listener<S>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `fn` with notifications held back, then notifies once for all of
   * its updates.
   */
  batch(fn: () => void): void {
    this.batching++;
    try {
      fn();
    } finally {
      this.batching--;
      if (this.batching === 0 && this.pendingPrev) {
        const prev = this.pendingPrev;
        this.pendingPrev = null;
        this.emit(prev);
      }
    }
  }

  /**
   * Subscribes to a derived value: `onChange` runs only when
   * `selector(state)` changes.
   */
  select<T>(selector: (state: S) => T, onChange: (value: T) => void): () => void {
    let current = selector(this.state);
    return this.subscribe((state) => {
      const next = selector(state);
      if (!Object.is(next, current)) {
        current = next;
        onChange(next);
      }
    });
  }

  private emit(prev: S): void {
    for (const l of [...this.listeners]) l(this.state, prev);
  }
}

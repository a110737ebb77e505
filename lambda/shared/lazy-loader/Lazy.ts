import { LazyInitError } from './errors.js';

// biome-ignore lint/suspicious/noExplicitAny: a class decorator accepts any constructor signature
type AnyConstructor = new (...args: any[]) => object;

interface LazyState {
  instance?: object;
  loading?: Promise<object>;
}

const states = new WeakMap<object, LazyState>();
const READY = Symbol('lazy-ready');

/**
 * A standard (TC39, TypeScript 5+) class decorator that defers construction: `new Service(...)`
 * returns a stand-in at once; the real constructor and then `init()` (if the class has one) run on
 * the first method call, exactly once even when several calls arrive together (they all wait for
 * the same initialization). A failed constructor or `init()` is not cached: the call rejects with
 * {@link LazyInitError} and the next call starts over with a fresh instance.
 *
 * Calls made before initialization finishes return a Promise, so declare the methods you call on
 * a `@Lazy` class `async`. After initialization, methods are called directly on the real instance.
 * Properties read before initialization are `undefined`; writing one before initialization throws.
 * Works without `experimentalDecorators` (target ES2022).
 *
 * @example
 * ```ts
 * import { Lazy } from 'lambda-perf-kit/lazy';
 *
 * @Lazy
 * class Reports {
 *   private render!: (rows: unknown[]) => string;
 *   async init(): Promise<void> {
 *     ({ render: this.render } = await import('./report-renderer.js'));
 *   }
 *   async build(rows: unknown[]): Promise<string> {
 *     return this.render(rows);
 *   }
 * }
 * const reports = new Reports(); // nothing loaded yet
 * export const handler = async () => reports.build([]);
 * ```
 */
export function Lazy<T extends AnyConstructor>(target: T, context: ClassDecoratorContext<T>): T {
  if (context.kind !== 'class') {
    throw new TypeError(`@Lazy decorates classes only; it was applied to a ${String(context.kind)}.`);
  }
  const className = String(context.name ?? target.name ?? 'anonymous class');

  return new Proxy(target, {
    construct(_target, args, newTarget) {
      const state: LazyState = {};
      const ready = (): Promise<object> => {
        if (state.instance) return Promise.resolve(state.instance);
        state.loading ??= (async () => {
          try {
            const instance = Reflect.construct(target, args, newTarget) as object;
            const init = (instance as { init?: unknown }).init;
            if (typeof init === 'function') await init.call(instance);
            state.instance = instance;
            return instance;
          } catch (error) {
            state.loading = undefined; // not cached: the next call starts over
            throw new LazyInitError(className, { cause: error });
          }
        })();
        return state.loading;
      };
      const prototype = (newTarget as { prototype: object }).prototype;
      const stub = Object.create(prototype) as object;
      const standIn = new Proxy(stub, {
        get(_stub, property) {
          if (property === READY) return ready;
          if (state.instance) {
            const value = Reflect.get(state.instance, property, state.instance);
            return typeof value === 'function' && property !== 'constructor'
              ? value.bind(state.instance)
              : value;
          }
          if (property === 'then') return undefined; // `await service` must not look like a thenable
          const member = Reflect.get(prototype, property);
          if (typeof member === 'function' && property !== 'constructor') {
            return (...callArgs: unknown[]) =>
              ready().then((instance) =>
                (Reflect.get(instance, property, instance) as (...a: unknown[]) => unknown).apply(
                  instance,
                  callArgs,
                ),
              );
          }
          return member;
        },
        set(_stub, property, value) {
          if (!state.instance) {
            throw new TypeError(
              `@Lazy class ${className}: cannot set '${String(property)}' before initialization; call a method (or await lazyReady(instance)) first.`,
            );
          }
          return Reflect.set(state.instance, property, value, state.instance);
        },
        has(_stub, property) {
          return state.instance ? Reflect.has(state.instance, property) : Reflect.has(prototype, property);
        },
      });
      states.set(standIn, state);
      return standIn;
    },
  });
}

/**
 * Initializes a `@Lazy` instance now (constructor + `init()`, once) and resolves to the real
 * instance. Use it to warm an instance up front, or before reading its properties.
 *
 * @example
 * ```ts
 * const reports = new Reports();
 * await lazyReady(reports); // constructor and init() have run
 * ```
 */
export function lazyReady<T extends object>(instance: T): Promise<T> {
  const ready = (instance as Record<symbol, unknown>)[READY];
  if (typeof ready !== 'function') {
    return Promise.reject(new TypeError('lazyReady: the argument is not an instance of a @Lazy class.'));
  }
  return (ready as () => Promise<T>)();
}

/**
 * Whether a `@Lazy` instance has finished its constructor and `init()`.
 *
 * @example
 * ```ts
 * if (!isLazyReady(reports)) console.log('first call will initialize');
 * ```
 */
export function isLazyReady(instance: object): boolean {
  return states.get(instance)?.instance !== undefined;
}

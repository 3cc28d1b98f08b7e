// A zod schema built the first time it is used. Workflow code pays for every schema built at
// module load on every run: the SDK evaluates the workflow module graph once per run, to keep runs
// apart. Most runs parse only an HR event and its hints, so the others wait until a message needs
// them. In a profile of 1,000 onboarding runs (bench/onboarding), building schemas took about 60 % of
// the time the workflow thread spent creating runs. Outside workflows laziness costs nothing.
import type * as z from 'zod/mini';

export interface LazySchema<S extends z.ZodMiniType> {
  /** The schema itself (built now, if it was not yet). */
  readonly schema: S;
  safeParse(value: unknown): ReturnType<S['safeParse']>;
  parse(value: unknown): z.output<S>;
}

/** What a lazy schema parses to, like `z.infer`. */
export type LazyOutput<L> = L extends LazySchema<infer S> ? z.output<S> : never;

export function lazySchema<S extends z.ZodMiniType>(build: () => S): LazySchema<S> {
  let built: S | undefined;
  const get = () => (built ??= build());
  return {
    get schema() {
      return get();
    },
    safeParse: (value) => get().safeParse(value) as ReturnType<S['safeParse']>,
    parse: (value) => get().parse(value),
  };
}

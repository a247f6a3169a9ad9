import { parseArgs } from 'node:util';

export type BenchArgs = {
  /** How many runs each figure is the median of. */
  runs: number;
  /** Short windows and one run: a smoke test that the benchmark works, not figures to quote. */
  quick: boolean;
  /** Where to write the results as JSON, besides printing them. */
  json: string | undefined;
  /** Run the service under `node --cpu-prof` and print where its time went. */
  profile: boolean;
};

export function benchArgs(argv = process.argv.slice(2)): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const runs = values.runs === undefined ? (values.quick ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${JSON.stringify(values.runs)} is not a positive integer`);
  return { runs, quick: values.quick, json: values.json, profile: values.profile };
}

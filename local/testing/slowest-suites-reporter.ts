import { relative } from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

/** How many of the slowest files the end of a run names. */
const SLOWEST = 10;

/**
 * Mocha's spec reporter, and then the ten slowest test files of the run, each with the time from its
 * first suite's start to its last suite's end (its hooks included: a suite that waits for the local
 * cloud to start shows it), so that a run that grows slower says where. Loaded by .mocharc.json.
 */
// biome-ignore lint/style/noDefaultExport: mocha loads a reporter module by its default export
export default class SlowestSuitesReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const started = new Map<Mocha.Suite, number>();
    const byFile = new Map<string, number>();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent?.root) started.set(suite, performance.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const startedAt = started.get(suite);
      if (startedAt === undefined) return;
      const file = suite.file === undefined ? suite.title : relative(process.cwd(), suite.file);
      byFile.set(file, (byFile.get(file) ?? 0) + performance.now() - startedAt);
    });
    runner.once(EVENT_RUN_END, () => {
      const slowest = [...byFile].sort(([, a], [, b]) => b - a).slice(0, SLOWEST);
      if (slowest.length === 0) return;
      const total = [...byFile.values()].reduce((sum, ms) => sum + ms, 0);
      console.log(
        `  The ${slowest.length} slowest test files (of ${byFile.size}, ${seconds(total)} in all):`,
      );
      for (const [file, ms] of slowest) console.log(`  ${seconds(ms).padStart(9)}  ${file}`);
      console.log();
    });
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

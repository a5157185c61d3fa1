// A Stryker reporter plugin ('mutant-log'): appends each mutant's result to
// reports/mutation/mutants.jsonl as soon as it is known, so a long run's survivors can be read
// (and killed) before it ends. Loaded by stryker.config.json.
import { appendFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LOG = 'reports/mutation/mutants.jsonl';

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Reporter, 'mutant-log', {
    onMutantTested(result) {
      mkdirSync('reports/mutation', { recursive: true });
      const entry = {
        file: relative(process.cwd(), result.fileName),
        line: result.location.start.line,
        mutator: result.mutatorName,
        replacement: result.replacement,
        status: result.status,
        killedBy: result.killedBy,
        tests: result.coveredBy?.length,
      };
      appendFileSync(LOG, JSON.stringify(entry) + '\n');
    },
  }),
];

// Judges one conformance scenario of `conformance authorization` from its checks.json, for
// .ci/authorization-code-grant.sh: writes a TRX file (one result per check, so .ci/run's summary counts it) and the
// scenario's row of docs/conformance-authorization.md, leaving the other rows as they are.
// Exit code 0 when the scenario passed (no FAILURE or SKIPPED check, at least one check), 1 otherwise.
//
//   node authorization-code-grant-report.mjs --scenario NAME --checks FILE|"" --reason TEXT|"" --started ISO
//                                            --trx FILE --report FILE
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

const options = {};
for (let i = 2; i < process.argv.length; i += 2) options[process.argv[i].replace(/^--/, '')] = process.argv[i + 1] ?? '';
const { scenario, reason, started, trx, report } = options;

let checks;
if (reason) {
  checks = [{ id: scenario, name: scenario, status: 'FAILURE', errorMessage: reason }];
} else {
  try {
    checks = JSON.parse(readFileSync(options.checks, 'utf8'));
  } catch (error) {
    checks = [{ id: scenario, name: scenario, status: 'FAILURE', errorMessage: `cannot read the suite's checks (${options.checks}): ${error.message}` }];
  }
  if (!Array.isArray(checks) || checks.length === 0) {
    checks = [{ id: scenario, name: scenario, status: 'FAILURE', errorMessage: 'the suite reported no checks' }];
  }
}

const message = c => `${c.id}: ${c.errorMessage ?? c.description ?? ''}`;
// A skipped check means the scenario did not run as CI needs it to (e.g. without a client id): a failure here.
const failures = checks.filter(c => c.status === 'FAILURE' || c.status === 'SKIPPED').map(message);
const warnings = checks.filter(c => c.status === 'WARNING').map(message);
const passed = failures.length === 0;

// --- TRX (the shape dotnet test writes, reduced to what readers of a TRX use) ---------------------------------
const xml = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const finished = new Date().toISOString();
const testList = '8c84fa94-04c1-424b-9868-57a2d4851a1d';
const unitTestType = '13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b';
const rows = checks.map(c => ({
  check: c,
  testId: randomUUID(),
  executionId: randomUUID(),
  name: `${scenario}: ${c.name ?? c.id}`,
  outcome: c.status === 'SUCCESS' || c.status === 'WARNING' ? 'Passed' : 'Failed',
}));
const counted = rows.filter(r => r.outcome === 'Passed').length;
const results = rows.map(r => {
  const text = r.outcome === 'Failed'
    ? `<Output><ErrorInfo><Message>${xml(message(r.check))}</Message></ErrorInfo></Output>`
    : r.check.status === 'WARNING' ? `<Output><StdOut>${xml(`warning: ${message(r.check)}`)}</StdOut></Output>` : '';
  return `    <UnitTestResult executionId="${r.executionId}" testId="${r.testId}" testName="${xml(r.name)}" computerName="${xml(hostname())}" ` +
    `startTime="${started}" endTime="${finished}" testType="${unitTestType}" outcome="${r.outcome}" testListId="${testList}">${text}</UnitTestResult>`;
});
const definitions = rows.map(r =>
  `    <UnitTest name="${xml(r.name)}" storage="conformance" id="${r.testId}"><Execution id="${r.executionId}" />` +
  `<TestMethod codeBase="conformance" adapterTypeName="executor://conformance" className="conformance.authorization" name="${xml(r.name)}" /></UnitTest>`);
const entries = rows.map(r => `    <TestEntry testId="${r.testId}" executionId="${r.executionId}" testListId="${testList}" />`);
writeFileSync(trx, `<?xml version="1.0" encoding="utf-8"?>
<TestRun id="${randomUUID()}" name="conformance authorization ${xml(scenario)}" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="${started}" queuing="${started}" start="${started}" finish="${finished}" />
  <Results>
${results.join('\n')}
  </Results>
  <TestDefinitions>
${definitions.join('\n')}
  </TestDefinitions>
  <TestEntries>
${entries.join('\n')}
  </TestEntries>
  <TestLists>
    <TestList name="Results Not in a List" id="${testList}" />
  </TestLists>
  <ResultSummary outcome="${passed ? 'Completed' : 'Failed'}">
    <Counters total="${rows.length}" executed="${rows.length}" passed="${counted}" failed="${rows.length - counted}" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
  </ResultSummary>
</TestRun>
`);

// --- the report's row ---------------------------------------------------------------------------------------
const cell = items => items.map(s => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')).join('<br>');
const row = `| \`${scenario}\` | ${passed ? 'pass' : 'FAIL'} | ${checks.length} | ${cell(failures)} | ${cell(warnings)} |`;
const header = [
  '# MCP conformance (authorization server)',
  '',
  '| Scenario | Result | Checks | Failed checks | Warnings |',
  '|---|---|---|---|---|',
];
const lines = existsSync(report) ? readFileSync(report, 'utf8').replace(/\n+$/, '').split('\n') : header;
const mine = lines.findIndex(l => l.startsWith(`| \`${scenario}\` |`));
if (mine >= 0) {
  lines[mine] = row;
} else {
  // After the table's last row, keeping the rows in name order.
  const table = lines.map((l, i) => [l, i]).filter(([l]) => /^\| `/.test(l));
  const before = table.filter(([l]) => l.slice(3, l.indexOf('`', 3)) < scenario);
  const at = before.length > 0 ? before[before.length - 1][1] + 1
    : table.length > 0 ? table[0][1]
    : lines.findIndex(l => /^\|---/.test(l)) + 1 || lines.length;
  lines.splice(at, 0, row);
}
writeFileSync(report, lines.join('\n') + '\n');

console.log(`${scenario}: ${passed ? 'pass' : 'FAIL'} (${checks.length} checks${failures.length ? `; failed: ${failures.join('; ')}` : ''}${warnings.length ? `; warnings: ${warnings.join('; ')}` : ''})`);
process.exit(passed ? 0 : 1);

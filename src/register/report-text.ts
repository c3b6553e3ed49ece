import type { ImportReport } from './import-register.ts';

/** An import report as text: what the CLI prints and the drop folder writes beside a file. */
export function formatReport(report: ImportReport): string {
  const lines = [
    `${report.kind}: ${report.applied ? 'imported' : 'REJECTED, nothing was imported'}`,
    `  rows read ${report.read}, inserted ${report.inserted}, ${report.kind === 'marks' ? 'amended' : 'updated'} ${report.amended}, unchanged ${report.unchanged}, rejected ${report.rejected}`,
  ];
  for (const problem of report.problems) lines.push(`  line ${problem.line}${problem.column ? `, ${problem.column}` : ''}: ${problem.message}`);
  if (report.rejected > report.problems.length) lines.push(`  ... and more: ${report.rejected} rows rejected in all`);
  return lines.join('\n');
}

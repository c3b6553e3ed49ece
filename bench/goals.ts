// The goals of issue 23, each against a baseline measured in the same run. The children judge
// their own result with these; the runner exits non-zero naming every goal missed.

export const GOALS = {
  import: { text: 'ratio >= 0.5 of COPY rows/s, peak RSS <= 512 MB', met: (ratio: number, rssMb: number) => ratio >= 0.5 && rssMb <= 512 },
  evaluate: { text: 'wall <= 2x the aggregate', met: (ratio: number) => ratio <= 2 },
  increment: { text: 'wall <= 0.05x the full evaluation', met: (ratio: number) => ratio <= 0.05 },
  timers: {
    text: 'ratio >= 0.5 of no-op jobs/s, zero duplicates, zero lost',
    met: (ratio: number, duplicates: number, lost: number) => ratio >= 0.5 && duplicates === 0 && lost === 0,
  },
  page: {
    text: 'p97.5 <= 3x /healthz p97.5 at 64 connections, zero errors',
    met: (ratio: number, errors: number) => ratio <= 3 && errors === 0,
  },
} as const;

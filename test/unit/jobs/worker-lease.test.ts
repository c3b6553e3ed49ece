import { describe, it, expect } from 'vitest';
import { deadWorkers, processIsRunning, type LivenessView } from '../../../src/jobs/worker-lease.ts';

const now = new Date('2026-01-05T09:00:00Z');
const worker = (id: string, host: string, pid: number, agoMs: number) => ({ id, host, pid, startedAt: new Date(0), beatAt: new Date(now.getTime() - agoMs) });
const view = (over: Partial<LivenessView> = {}): LivenessView => ({
  self: 'me',
  now,
  leaseMs: 15_000,
  host: 'here',
  pid: 100,
  local: new Set(),
  isRunning: (pid) => pid === 200,
  ...over,
});

describe('which workers are dead', () => {
  it('when a worker elsewhere has not beaten within a lease, then it is dead; within one, alive', () => {
    expect(deadWorkers([worker('a', 'there', 1, 15_001), worker('b', 'there', 2, 14_000)], view())).toEqual(['a']);
  });

  it('when a worker on this host beat a moment ago but its process is gone (killed, then restarted), then it is dead at once', () => {
    expect(deadWorkers([worker('gone', 'here', 300, 1000), worker('alive', 'here', 200, 1000)], view())).toEqual(['gone']);
  });

  it('when an old worker had the pid this process now has, then it is dead unless it is one of this process own workers', () => {
    expect(deadWorkers([worker('old', 'here', 100, 1000)], view())).toEqual(['old']);
    expect(deadWorkers([worker('sibling', 'here', 100, 1000)], view({ local: new Set(['sibling']) }))).toEqual([]);
  });

  it('when it looks at itself, then it is never dead, however late its beat', () => {
    expect(deadWorkers([worker('me', 'here', 100, 60_000)], view())).toEqual([]);
  });

  it('when asked about this process and a pid nobody holds, then the answer comes from the system', () => {
    expect(processIsRunning(process.pid)).toBe(true);
    expect(processIsRunning(2 ** 22 + 12_345)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../../workflows/index.ts';
import { findCodeWords } from '../../support/plain-words.ts';

/** What a reader sees of a Mermaid text: the labels in ["…"], |…|, state "…" and after " : ". */
const labels = (mermaid: string) => [...mermaid.matchAll(/\["([^"]*)"\]|\|([^|]*)\||state "([^"]*)"|: (.*)$/gm)].map((match) => match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').join('\n');

describe('the workflow overview: stages and legal routes at a glance', () => {
  it('when West Coventry is drawn, then its stages lead on in order, any stage can reach the considerations, and each legal route is chosen there', () => {
    const { overview } = WORKFLOWS['west-coventry']!;
    expect(overview).toMatch(/^flowchart TD\n/);
    for (const stage of ['Stage 1a', 'Stage 1b', 'Stage 2', 'Stage 3', 'Notice to Improve', 'Penalty notice', 'Attendance contract', 'Education Supervision Order', 'Prosecution']) expect(overview).toContain(`["${stage}"]`);
    expect(overview).toContain('s_stage1a -->|Review due| s_stage1b');
    expect(overview).toContain('support -->|National threshold met| s_considering');
    expect(overview).toContain('s_considering -->|Penalty notice chosen| s_penaltyNotice');
    expect(overview).toContain('s_penaltyNotice -->|Local authority decision| s_prosecution');
    // Read whole, it is short: one arrow per way on, not one per event and condition.
    expect(overview.split('\n').filter((line) => line.includes('-->')).length).toBeLessThan(25);
  });

  it('when every workflow is drawn, then what a reader sees of its overview and full chart is in words', () => {
    for (const workflow of Object.values(WORKFLOWS)) {
      expect(findCodeWords(labels(workflow.overview)), `${workflow.id} overview`).toEqual([]);
      expect(findCodeWords(labels(workflow.diagram)), `${workflow.id} chart`).toEqual([]);
    }
  });
});

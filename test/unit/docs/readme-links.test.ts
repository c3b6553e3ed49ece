import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// A clone holds only the repository: every link in the README and docs/ must point inside it.
const root = path.resolve(import.meta.dirname, '../../..');
const documents = ['README.md', 'RELIABILITY.md', 'bench/README.md', ...readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)].filter((file) =>
  existsSync(path.join(root, file)),
);

/** Markdown link targets that are not web addresses or anchors within the page. */
function localLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^(?:[a-z]+:|#)/i.test(target));
}

describe('links in the documentation', () => {
  it.each(documents)('when %s links to a file, then the file is in the repository', (file) => {
    const dir = path.dirname(path.join(root, file));
    for (const target of localLinks(readFileSync(path.join(root, file), 'utf8'))) {
      const resolved = path.resolve(dir, decodeURI(target.split('#')[0]!));
      expect(path.relative(root, resolved).startsWith('..'), `${file} links outside the repository: ${target}`).toBe(false);
      expect(existsSync(resolved), `${file} links to a missing ${target}`).toBe(true);
    }
  });

  it('when the README names what a fresh machine needs, then it says so before "Tests and checks"', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const fresh = readme.indexOf('## What a fresh machine needs');
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(readme.indexOf('## Tests and checks'));
  });

  it("when the links are checked, then a link leaving the repository is caught (the check itself works)", () => {
    expect(localLinks('see [rules](../shared/DOMAIN.md), [site](https://example.org), [top](#x) and `[x](y)`')).toEqual(['../shared/DOMAIN.md']);
  });
});

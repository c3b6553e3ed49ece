// npm run bench:data -- --pupils 20000 --weeks 39 --seed 1
import { parseSize } from './args.ts';
import { dataDir, ensureTrustData } from './trust.ts';

const { size } = parseSize(process.argv.slice(2));
const started = performance.now();
const manifest = await ensureTrustData(size, (line) => console.error(line));
console.log(
  JSON.stringify({ dir: dataDir(size), ...size, schools: manifest.schools.length, marks: manifest.marks, nextDayMarks: manifest.nextDayMarks, seconds: (performance.now() - started) / 1000 }),
);

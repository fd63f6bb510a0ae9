// Write the generated benchmark zone of N names to a file: `node dist/bench/gen-zone.js N FILE`.
import { generatedZone, writeZone } from './lib/zones.js';

const n = Number(process.argv[2] ?? 1000);
const file = process.argv[3] ?? `/tmp/gen-${n}.zone`;
writeZone(file, generatedZone(n));
console.log(`wrote ${file}: ${n} generated names`);

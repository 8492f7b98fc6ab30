import { rollup } from 'rollup';
import config from '../rollup.config.mjs';
import { gzipSync } from 'node:zlib';
const c = config[0];
const b = await rollup({ ...c, plugins: c.plugins.filter((p) => p.name !== 'empty-dist') });
const { output } = await b.generate(c.output);
const entry = output.find((o) => o.fileName === 'danmaku-layer.bundle.js');
console.log(process.argv[2] ?? '', gzipSync(entry.code, { level: 9 }).length);

// Writes the README's operator list from the operator table (src/model/ops.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { operatorList } from '../src/model/ops.js';

const url = new URL('../README.md', import.meta.url);
const text = readFileSync(url, 'utf8');
const next = text.replace(/(<!-- ops:begin -->\n)[\s\S]*?(<!-- ops:end -->)/, `$1${operatorList()}\n$2`);
if (next === text) console.log('README operator list is up to date');
else { writeFileSync(url, next); console.log('README operator list written'); }

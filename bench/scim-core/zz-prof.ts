import { generatePatch } from '../../src/scim';
import { makeCorpus } from './corpus';
const { users, desired } = makeCorpus(20261124, 1000);
let n = 0;
const t = process.hrtime.bigint();
for (let k = 0; k < 40; k++) for (let i = 0; i < users.length; i++) n += generatePatch(users[i]!, desired[i]!).Operations.length;
console.log(n, Number(process.hrtime.bigint() - t) / 1e6, 'ms');

// Reads one BPMN 2.0 XML file with bpmn-moddle (the parser inside bpmn.io /
// Camunda Modeler) and prints JSON: {"warnings": [...], "rootElement": "<type>"}.
//
// Usage: node tests/unit/io/bpmn_moddle_check.mjs FILE.bpmn
// bpmn-moddle is installed by `npm ci --prefix tests/node`; the tests call this
// script on our BPMN export and expect zero warnings.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../../node/package.json', import.meta.url));
const { BpmnModdle } = await import(pathToFileURL(require.resolve('bpmn-moddle')).href);

const file = process.argv[2];
if (!file) {
  console.error('usage: node bpmn_moddle_check.mjs FILE.bpmn');
  process.exit(2);
}

const xml = await readFile(file, 'utf8');
const moddle = new BpmnModdle();
try {
  const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
  const out = {
    warnings: warnings.map((w) => ({ message: w.message, element: w.element ? w.element.id || w.element.$type : null })),
    rootElement: rootElement ? rootElement.$type : null,
    rootElements: rootElement ? (rootElement.rootElements || []).map((e) => e.$type) : [],
  };
  console.log(JSON.stringify(out));
} catch (err) {
  console.log(JSON.stringify({ error: String(err && err.message ? err.message : err), warnings: [], rootElement: null }));
  process.exit(1);
}

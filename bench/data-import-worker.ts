/** Child process of bench/data-import: one timed import, reporting wall time and peak RSS as JSON. */
import { type ImportRequest, importDataset } from '../electron/engine/data/import-dataset.ts';

const req = JSON.parse(process.argv[2]) as ImportRequest;
const t0 = performance.now();
const { manifest } = await importDataset(req);
const seconds = (performance.now() - t0) / 1000;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, counts: manifest.counts })}\n`);

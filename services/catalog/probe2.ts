import { people, readCloudDescription } from '@serverless-patterns/local/testing';

(async () => {
  const d = await readCloudDescription('/tmp/lakecloud/cloud.json');
  const person = await people(d).create();
  const h = { authorization: `Bearer ${person.idToken}`, 'content-type': 'application/json' };
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const q = await fetch(`${d.portalUrl}/catalog/queries`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        sql: "SELECT gram, year, sum(match_count) FROM ngram WHERE gram = 'just say no' GROUP BY gram, year ORDER BY year",
      }),
    });
    const { query } = (await q.json()) as any;
    const t1 = performance.now();
    let v: any;
    let polls = 0;
    for (;;) {
      polls++;
      const g = await fetch(`${d.portalUrl}/catalog/queries/${query.queryId}`, { headers: h });
      v = ((await g.json()) as any).query;
      if (v.status === 'SUCCEEDED' || v.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const t2 = performance.now();
    const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);
    console.log(
      `POST ${(t1 - t0).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms, queue ${ms(v.submittedAt, v.startedAt)} ms, run ${ms(v.startedAt, v.finishedAt)} ms, polls ${polls}`,
    );
  }
})();

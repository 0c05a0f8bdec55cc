import { gzipSync } from 'node:zlib';
import { coalesceHelmValues, decodeHelmRelease, HelmDecodeError, helmRevisionRecord, latestRevisions } from './helm-release';

// The encoder here is Node's zlib, not ours; the gateway spec compares the whole rule with the real helm binary.
const helmText = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value))).toString('base64');

describe('Helm release decoding', () => {
  it('reads base64 of gzip of JSON, and plain base64 JSON (util.go decodeRelease gunzips only on the magic)', async () => {
    const release = { name: 'x', version: 2, info: { status: 'deployed' }, chart: { metadata: { name: 'c', version: '1.0.0' } } };
    expect(await decodeHelmRelease(helmText(release), 1024)).toEqual(release);
    expect(await decodeHelmRelease(Buffer.from(JSON.stringify(release)).toString('base64'), 1024)).toEqual(release);
    expect(helmRevisionRecord(release, 'ns')).toMatchObject({ name: 'x', revision: 2, namespace: 'ns', chart: 'c', chartVersion: '1.0.0', appVersion: '', userValues: {} });
  });

  it('stops inflating at the bound and names it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64');
    await expect(decodeHelmRelease(bomb, 1024 * 1024, 'MAX_HELM_RELEASE_BYTES')).rejects.toThrow(`the release inflates to more than ${1024 * 1024} bytes (MAX_HELM_RELEASE_BYTES)`);
    await expect(decodeHelmRelease('not base64!', 1024)).rejects.toThrow(HelmDecodeError);
  });

  it('coalesces values as CoalesceValues: the user wins, maps merge, a user null removes the default', () => {
    expect(coalesceHelmValues({ a: 1, m: { x: 1, y: 2 }, gone: 'default', list: [1] }, { m: { y: 3 }, gone: null, list: [2] })).toEqual({ a: 1, m: { x: 1, y: 3 }, list: [2] });
  });

  it('picks the highest revision of each release, and keeps objects without usable labels apart', () => {
    const ref = (release: string, revision: number) => ({ storage: 'secret' as const, namespace: 'n', object: `sh.helm.release.v1.${release}.v${revision}`, release, revision, status: 'deployed' });
    const { latest, unlabelled } = latestRevisions([ref('b', 1), ref('a', 2), ref('a', 10), ref('', 1), ref('c', Number.NaN)]);
    expect(latest.map((r) => `${r.release}.v${r.revision}`)).toEqual(['a.v10', 'b.v1']);
    expect(unlabelled).toHaveLength(2);
  });
});

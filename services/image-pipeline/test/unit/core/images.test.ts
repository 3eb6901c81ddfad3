import { expect } from 'chai';
import { imageJobSchema } from '../../../src/core/images';

describe('image jobs', () => {
  it('describes the workflow input: which object version, for which record', () => {
    const job = {
      imageId: 'img-1',
      ownerId: 'owner-1',
      bucket: 'images',
      key: 'uploads/owner-1/a.jpg',
      versionId: 'v1',
    };

    expect(imageJobSchema.parse(job)).to.deep.equal(job);
    expect(imageJobSchema.safeParse({ ...job, ownerId: 'a/b' }).success).to.equal(false);
  });
});

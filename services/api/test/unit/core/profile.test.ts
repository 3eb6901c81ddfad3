import { expect } from 'chai';
import { profileOf } from '../../../src/core/profile';
import { ADA } from '../factories';

describe('profile', () => {
  it("shows the caller's id, email, groups and admin flag", () => {
    const profile = profileOf({ ...ADA, groups: ['admins', 'editors'], isAdmin: true });

    expect(profile).to.deep.equal({ ...ADA, groups: ['admins', 'editors'], isAdmin: true });
  });

  it('shows nothing else the caller object may carry', () => {
    const caller = { ...ADA, groups: [], isAdmin: false, tokenUse: 'id', secret: 'do not show' };

    expect(profileOf(caller)).to.have.all.keys('userId', 'email', 'groups', 'isAdmin');
  });
});

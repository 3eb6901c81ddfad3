import type { APIGatewayProxyEvent } from 'aws-lambda';
import { expect } from 'chai';
import { callerFrom, deviceFrom, ownDeviceFrom } from '../../../src/authorizers/caller';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors';
import { apiGatewayProxyEvent } from '../../../src/testing';

function eventWith(authorizer: Record<string, unknown> | undefined | null): APIGatewayProxyEvent {
  const event = apiGatewayProxyEvent();
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

// What API Gateway forwards from a people authorizer: the context as strings, plus principalId.
const PEOPLE = {
  principalId: 'user-1',
  userId: 'user-1',
  email: 'ada@example.com',
  groups: 'beta',
  tokenUse: 'id',
};

describe('caller', () => {
  describe('callerFrom', () => {
    it('reads the person a people authorizer let in, splitting the groups', () => {
      expect(callerFrom(eventWith({ ...PEOPLE, groups: 'beta,testers' }))).to.deep.equal({
        userId: 'user-1',
        email: 'ada@example.com',
        groups: ['beta', 'testers'],
        isAdmin: false,
      });
    });

    it('reads an empty groups string as no groups', () => {
      expect(callerFrom(eventWith({ ...PEOPLE, groups: '' })).groups).to.deep.equal([]);
    });

    it('derives isAdmin from the admin group behind the people authorizer', () => {
      expect(callerFrom(eventWith({ ...PEOPLE, groups: 'admins,beta' })).isAdmin).to.equal(true);
      expect(
        callerFrom(eventWith({ ...PEOPLE, groups: 'admins' }), { adminGroup: 'operators' }).isAdmin,
      ).to.equal(false);
    });

    it("takes the admin authorizer's isAdmin, as the string API Gateway forwards or as a boolean", () => {
      expect(callerFrom(eventWith({ ...PEOPLE, isAdmin: 'true' })).isAdmin).to.equal(true);
      expect(callerFrom(eventWith({ ...PEOPLE, isAdmin: true })).isAdmin).to.equal(true);
      expect(callerFrom(eventWith({ ...PEOPLE, groups: 'admins', isAdmin: 'false' })).isAdmin).to.equal(
        false,
      );
    });

    it('reads a missing email as an empty string', () => {
      const { email: _email, ...withoutEmail } = PEOPLE;

      expect(callerFrom(eventWith(withoutEmail)).email).to.equal('');
    });

    for (const [why, authorizer] of [
      ['no authorizer context', undefined],
      ['a null authorizer context', null],
      ['a device context', { deviceId: 'dev-1', ownerId: 'user-1' }],
      ['an empty userId', { ...PEOPLE, userId: '' }],
      ['Cognito authorizer claims only', { claims: { sub: 'user-1' } }],
    ] as const) {
      it(`refuses (401) ${why}`, () => {
        expect(() => callerFrom(eventWith(authorizer))).to.throw(UnauthorizedError);
      });
    }
  });

  describe('deviceFrom', () => {
    it('reads the device a device authorizer let in', () => {
      expect(
        deviceFrom(eventWith({ principalId: 'dev-1', deviceId: 'dev-1', ownerId: 'user-1' })),
      ).to.deep.equal({
        deviceId: 'dev-1',
        ownerId: 'user-1',
      });
    });

    for (const [why, authorizer] of [
      ['no authorizer context', undefined],
      ['a person context', PEOPLE],
      ['a device without owner', { deviceId: 'dev-1' }],
    ] as const) {
      it(`refuses (401) ${why}`, () => {
        expect(() => deviceFrom(eventWith(authorizer))).to.throw(UnauthorizedError);
      });
    }
  });

  describe('ownDeviceFrom', () => {
    const device = { deviceId: 'dev-1', ownerId: 'user-1' };

    it("returns the device on the device's own route", () => {
      expect(ownDeviceFrom(eventWith(device), 'dev-1')).to.deep.equal(device);
    });

    it("refuses (403) the token of one device on another device's route", () => {
      expect(() => ownDeviceFrom(eventWith(device), 'dev-2')).to.throw(ForbiddenError);
    });

    it('refuses (401) without a device context', () => {
      expect(() => ownDeviceFrom(eventWith(undefined), 'dev-1')).to.throw(UnauthorizedError);
    });
  });
});

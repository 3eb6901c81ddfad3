import { expect } from 'chai';
import { readAdminConfig } from '../../../src/authorizers/admin/config';
import { readDeviceConfig } from '../../../src/authorizers/device/config';
import { readPeopleTokenConfig } from '../../../src/authorizers/people/config';
import { ConfigError } from '../../../src/config';

describe('authorizer configuration', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';

  describe('readPeopleTokenConfig', () => {
    it('defaults the JWKS address to <issuer>/.well-known/jwks.json and the token use to id', () => {
      expect(
        readPeopleTokenConfig({ PEOPLE_JWT_ISSUER: issuer, PEOPLE_JWT_AUDIENCE: 'client-1' }),
      ).to.deep.equal({
        issuer,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        clientId: 'client-1',
        tokenUse: 'id',
      });
    });

    it('takes an explicit JWKS address and access tokens', () => {
      const config = readPeopleTokenConfig({
        PEOPLE_JWT_ISSUER: issuer,
        PEOPLE_JWT_AUDIENCE: 'client-1',
        PEOPLE_JWT_JWKS_URI: 'https://keys.example.com/jwks.json',
        PEOPLE_JWT_TOKEN_USE: 'access',
      });

      expect(config).to.deep.include({ jwksUri: 'https://keys.example.com/jwks.json', tokenUse: 'access' });
    });

    for (const name of ['PEOPLE_JWT_ISSUER', 'PEOPLE_JWT_AUDIENCE']) {
      it(`names ${name} when it is missing`, () => {
        const env: Record<string, string> = { PEOPLE_JWT_ISSUER: issuer, PEOPLE_JWT_AUDIENCE: 'client-1' };
        delete env[name];

        expect(() => readPeopleTokenConfig(env)).to.throw(ConfigError, name);
      });
    }

    it('refuses a token use other than id or access', () => {
      expect(() =>
        readPeopleTokenConfig({
          PEOPLE_JWT_ISSUER: issuer,
          PEOPLE_JWT_AUDIENCE: 'c',
          PEOPLE_JWT_TOKEN_USE: 'refresh',
        }),
      ).to.throw(ConfigError, 'PEOPLE_JWT_TOKEN_USE');
    });
  });

  describe('readAdminConfig', () => {
    it('defaults to the admins group, admins only', () => {
      expect(readAdminConfig({})).to.deep.equal({ adminGroup: 'admins', access: 'admins-only' });
    });

    it('reads a sandbox stage open to any signed-in user', () => {
      expect(readAdminConfig({ ADMIN_GROUP: 'operators', ADMIN_ACCESS: 'any-signed-in-user' })).to.deep.equal(
        {
          adminGroup: 'operators',
          access: 'any-signed-in-user',
        },
      );
    });

    it('refuses an unknown access mode rather than guessing', () => {
      expect(() => readAdminConfig({ ADMIN_ACCESS: 'everyone' })).to.throw(ConfigError, 'ADMIN_ACCESS');
    });
  });

  describe('readDeviceConfig', () => {
    it('reads the table name', () => {
      expect(readDeviceConfig({ DEVICE_TOKENS_TABLE: 'api-table' })).to.deep.equal({
        tableName: 'api-table',
      });
    });

    it('names DEVICE_TOKENS_TABLE when it is missing', () => {
      expect(() => readDeviceConfig({})).to.throw(ConfigError, 'DEVICE_TOKENS_TABLE');
    });
  });
});

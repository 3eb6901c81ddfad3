import { expect } from 'chai';
import { ConfigError, defineConfig, readBoolean, readInteger, readOneOf, readString } from '../../src/config';

describe('config', () => {
  describe('readString', () => {
    it('returns the value of the variable', () => {
      expect(readString('TABLE_NAME', { env: { TABLE_NAME: 'readings' } })).to.equal('readings');
    });

    it('names the variable when it is missing', () => {
      expect(() => readString('TABLE_NAME', { env: {} }))
        .to.throw(ConfigError, 'Environment variable TABLE_NAME is required but not set')
        .with.property('name', 'ConfigError');
    });

    it('treats a blank value as missing', () => {
      expect(() => readString('TABLE_NAME', { env: { TABLE_NAME: '   ' } })).to.throw(
        ConfigError,
        'TABLE_NAME',
      );
    });

    it('falls back to the default when the variable is missing', () => {
      expect(readString('STAGE', { default: 'dev', env: {} })).to.equal('dev');
    });

    it('reads process.env when no env is given', () => {
      process.env.CONFIG_TEST_VARIABLE = 'from-process';
      try {
        expect(readString('CONFIG_TEST_VARIABLE')).to.equal('from-process');
      } finally {
        delete process.env.CONFIG_TEST_VARIABLE;
      }
    });
  });

  describe('readInteger', () => {
    const range = { min: 1, max: 100 };

    it('parses a base-10 integer', () => {
      expect(readInteger('BATCH_SIZE', { ...range, env: { BATCH_SIZE: '25' } })).to.equal(25);
    });

    it('accepts the bounds of the range', () => {
      expect(readInteger('BATCH_SIZE', { ...range, env: { BATCH_SIZE: '1' } })).to.equal(1);
      expect(readInteger('BATCH_SIZE', { ...range, env: { BATCH_SIZE: '100' } })).to.equal(100);
    });

    for (const raw of ['abc', '12abc', '1.5', '1e3', '0x10', '0', '101']) {
      it(`rejects "${raw}" naming the variable, the range and the value`, () => {
        expect(() => readInteger('BATCH_SIZE', { ...range, env: { BATCH_SIZE: raw } })).to.throw(
          ConfigError,
          `Environment variable BATCH_SIZE must be an integer between 1 and 100, got "${raw}"`,
        );
      });
    }

    it('describes a one-sided range', () => {
      expect(() => readInteger('RETRIES', { min: 0, env: { RETRIES: '-1' } })).to.throw(
        'Environment variable RETRIES must be an integer of at least 0, got "-1"',
      );
    });

    it('accepts negative integers when no range is given', () => {
      expect(readInteger('OFFSET', { env: { OFFSET: '-3' } })).to.equal(-3);
    });

    it('is required unless a default is given', () => {
      expect(() => readInteger('BATCH_SIZE', { env: { BATCH_SIZE: '' } })).to.throw(
        'Environment variable BATCH_SIZE is required but not set',
      );
      expect(readInteger('BATCH_SIZE', { default: 10, env: {} })).to.equal(10);
    });
  });

  describe('readBoolean', () => {
    for (const [raw, expected] of [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['false', false],
      ['False', false],
      ['0', false],
    ] as const) {
      it(`reads "${raw}" as ${expected}`, () => {
        expect(readBoolean('TRACING', { env: { TRACING: raw } })).to.equal(expected);
      });
    }

    for (const raw of ['yes', 'on', '2']) {
      it(`rejects "${raw}"`, () => {
        expect(() => readBoolean('TRACING', { env: { TRACING: raw } })).to.throw(
          ConfigError,
          `Environment variable TRACING must be one of true, false, 1, 0, got "${raw}"`,
        );
      });
    }

    it('falls back to the default, false included', () => {
      expect(readBoolean('TRACING', { default: false, env: {} })).to.equal(false);
    });
  });

  describe('readOneOf', () => {
    const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

    it('returns an allowed value', () => {
      expect(readOneOf('LOG_LEVEL', levels, { env: { LOG_LEVEL: 'WARN' } })).to.equal('WARN');
    });

    it('lists the allowed values when the value is not one of them', () => {
      expect(() => readOneOf('LOG_LEVEL', levels, { env: { LOG_LEVEL: 'verbose' } })).to.throw(
        ConfigError,
        'Environment variable LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "verbose"',
      );
    });

    it('falls back to the default when the variable is missing', () => {
      expect(readOneOf('LOG_LEVEL', levels, { default: 'INFO', env: {} })).to.equal('INFO');
    });
  });

  describe('defineConfig', () => {
    it('reads each setting when it is first used, once, and names a missing variable then', () => {
      const env: NodeJS.ProcessEnv = { TABLE_NAME: 'readings' };
      let reads = 0;
      const config = defineConfig({
        tableName: () => {
          reads += 1;
          return readString('TABLE_NAME', { env });
        },
        topicArn: () => readString('TOPIC_ARN', { env }),
        batchSize: () => readInteger('BATCH_SIZE', { env, default: 10 }),
      });

      expect(reads).to.equal(0);
      expect(config.tableName).to.equal('readings');
      env.TABLE_NAME = 'changed';
      expect(config.tableName).to.equal('readings');
      expect(reads).to.equal(1);
      expect(config.batchSize).to.equal(10);
      expect(() => config.topicArn).to.throw(ConfigError, 'TOPIC_ARN');
    });

    it('lists every setting as a key', () => {
      const config = defineConfig({ a: () => 1, b: () => 'two' });

      expect(Object.keys(config)).to.deep.equal(['a', 'b']);
    });
  });
});

import { expect } from 'chai';
import {
  defaultRate,
  type Loan,
  lossSeverity,
  portfolioTotals,
  prepaymentRate,
  runLoan,
  scenario,
  valueLoans,
} from '../../../../src/core/jobs/mortgage-model';
import { generateLoans, planLoanChunks } from '../../../../src/core/jobs/mortgage-portfolio';
import { randomStream } from '../../../../src/core/jobs/seeded-random';

const MONTHS = 120;
const scenarios = (seed: number, count: number) =>
  Array.from({ length: count }, (_, index) => scenario(seed, index, MONTHS));

/** The whole job as mappers would run it: the loans cut into chunks, the chunks valued apart. */
function runInChunks(loans: number, loansPerChunk: number, seed = 7) {
  const economy = scenarios(seed, 20);
  const chunks = planLoanChunks(loans, loansPerChunk).map(({ firstLoan, loanCount }) =>
    valueLoans(generateLoans(1, firstLoan, loanCount), economy, MONTHS),
  );
  return { loans: chunks.flatMap((chunk) => chunk.loans), portfolio: portfolioTotals(chunks, loans) };
}

describe('mortgage model (core)', () => {
  it('draws the same numbers for the same seed, other numbers for another', () => {
    const draw = (...seed: number[]) => {
      const random = randomStream(...seed);
      return [random.uniform(), random.normal(), random.normal()];
    };
    expect(draw(42, 3)).to.deep.equal(draw(42, 3));
    expect(draw(42, 3)).not.to.deep.equal(draw(42, 4));
  });

  it('gives the same loans and portfolio, to the cent, whatever the chunking (1, 2 and 7 chunks)', () => {
    const whole = runInChunks(21, 21);
    expect(runInChunks(21, 11)).to.deep.equal(whole);
    expect(runInChunks(21, 3)).to.deep.equal(whole);
    expect(whole.loans.map(({ loan }) => loan)).to.deep.equal([...Array(21).keys()]);
    expect(runInChunks(21, 3, 8).portfolio).not.to.deep.equal(whole.portfolio);
  });

  it('keeps short rates at or above zero and starts house prices near today', () => {
    for (const economy of scenarios(3, 10)) {
      expect(Math.min(...economy.shortRate)).to.be.at.least(0);
      expect(economy.housePrice[0]).to.be.within(0.9, 1.1);
    }
  });

  it('prepays faster when rates fall below the note rate, defaults more under water and with low scores', () => {
    expect(prepaymentRate(0.07, 0.04)).to.be.greaterThan(prepaymentRate(0.04, 0.07));
    expect(defaultRate(620, 1.1)).to.be.greaterThan(defaultRate(780, 0.6));
    expect(lossSeverity(100, 50)).to.be.greaterThan(lossSeverity(100, 200));
    expect(lossSeverity(100, 500)).to.equal(0.1);
  });

  it('repays a safe loan at about its balance, and loses more on a risky one', () => {
    const flat = {
      shortRate: new Float64Array(MONTHS).fill(0.03),
      mortgageRate: new Float64Array(MONTHS).fill(0.047),
      housePrice: new Float64Array(MONTHS).fill(1),
    };
    const safe: Loan = {
      loan: 0,
      balanceCents: 20_000_000,
      rate: 0.03,
      termMonths: 120,
      ageMonths: 0,
      creditScore: 800,
      ltv: 0.5,
    };
    const risky: Loan = { ...safe, creditScore: 600, ltv: 0.97 };
    const safeOutcome = runLoan(safe, flat, MONTHS);
    expect(safeOutcome.pvCents / safe.balanceCents).to.be.within(0.97, 1.03);
    expect(runLoan(risky, flat, MONTHS).lossCents).to.be.greaterThan(safeOutcome.lossCents);
  });

  it('sums the portfolio in whole cents with percentiles across scenarios', () => {
    const { portfolio, loans } = runInChunks(5, 2);
    expect(portfolio.expectedPvCents).to.be.a('number').and.satisfy(Number.isInteger);
    expect(portfolio.pvCents.p5).to.be.at.most(portfolio.pvCents.p50).and.at.most(portfolio.pvCents.p95);
    expect(loans[0]?.lossCents.p50).to.be.at.most(loans[0]?.lossCents.p99 as number);
    expect(portfolio.loanScenarioMonths).to.be.greaterThan(0);
  });
});

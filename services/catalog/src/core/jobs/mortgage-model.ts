import { randomStream } from './seeded-random';

// The Monte Carlo mortgage cash-flow model (README.md, "Batch jobs: the mortgage model"). Pure and
// deterministic: a loan's values in a scenario depend only on the loan, the scenario's index and the
// job's seed, so any chunking of the loans gives the same numbers, to the cent.

export interface Loan {
  loan: number;
  /** Outstanding balance, in cents. */
  balanceCents: number;
  /** Note rate, a fraction (0.045 is 4.5 %). */
  rate: number;
  termMonths: number;
  ageMonths: number;
  creditScore: number;
  /** Current loan-to-value, a fraction. */
  ltv: number;
}

export interface Scenario {
  /** Monthly short rate (annualised fraction) and the mortgage rate offered that month. */
  shortRate: Float64Array;
  mortgageRate: Float64Array;
  /** House price index relative to today (1 at month 0). */
  housePrice: Float64Array;
}

/** The economy's parameters: CIR short rate, log-normal house prices, correlated shocks. */
export const ECONOMY = {
  initialRate: 0.04,
  meanReversion: 0.25,
  longRunRate: 0.035,
  rateVolatility: 0.06,
  mortgageSpread: 0.017,
  houseDrift: 0.03,
  houseVolatility: 0.08,
  rateHouseCorrelation: -0.3,
} as const;

const DT = 1 / 12;

/** Scenario `index` of the job seeded `seed`: its own stream, the same on every mapper. */
export function scenario(seed: number, index: number, months: number): Scenario {
  const e = ECONOMY;
  const random = randomStream(seed, index);
  const shortRate = new Float64Array(months);
  const mortgageRate = new Float64Array(months);
  const housePrice = new Float64Array(months);
  let rate = e.initialRate;
  let logHouse = 0;
  const orthogonal = Math.sqrt(1 - e.rateHouseCorrelation ** 2);
  for (let month = 0; month < months; month += 1) {
    const z1 = random.normal();
    const z2 = e.rateHouseCorrelation * z1 + orthogonal * random.normal();
    // Cox-Ingersoll-Ross with full truncation (the rate stays at or above 0).
    const positive = Math.max(rate, 0);
    rate +=
      e.meanReversion * (e.longRunRate - positive) * DT + e.rateVolatility * Math.sqrt(positive * DT) * z1;
    const short = Math.max(rate, 0);
    shortRate[month] = short;
    mortgageRate[month] = short + e.mortgageSpread;
    logHouse += (e.houseDrift - e.houseVolatility ** 2 / 2) * DT + e.houseVolatility * Math.sqrt(DT) * z2;
    housePrice[month] = Math.exp(logHouse);
  }
  return { shortRate, mortgageRate, housePrice };
}

const monthly = (annualRate: number) => 1 - (1 - annualRate) ** (1 / 12);

/** Conditional prepayment rate: a base turnover plus an S-curve in the refinance incentive. */
export function prepaymentRate(noteRate: number, offeredRate: number): number {
  const incentive = noteRate - offeredRate;
  return 0.05 + 0.35 / (1 + Math.exp(-(incentive - 0.005) / 0.0025));
}

/** Conditional default rate: higher for low credit scores and for loans under water. */
export function defaultRate(creditScore: number, updatedLtv: number): number {
  return Math.min(0.5, 0.004 * Math.exp((700 - creditScore) / 60) * Math.exp(5 * (updatedLtv - 0.8)));
}

/** Share of a defaulted balance lost: the shortfall of the sale (10 % costs) and at least 10 %. */
export function lossSeverity(balance: number, propertyValue: number): number {
  return Math.min(1, Math.max(0.1, 1 - (0.9 * propertyValue) / balance));
}

export interface LoanOutcome {
  /** Present value of the investor's cash flows and of the credit losses, in whole cents. */
  pvCents: number;
  lossCents: number;
}

/** One loan through one scenario, month by month: amortisation, prepayment, default and loss. */
export function runLoan(loan: Loan, economy: Scenario, horizonMonths: number): LoanOutcome {
  const remaining = Math.min(loan.termMonths - loan.ageMonths, horizonMonths, economy.shortRate.length);
  let balance = loan.balanceCents;
  const propertyValue = loan.balanceCents / loan.ltv;
  const noteMonthly = loan.rate / 12;
  let discount = 1;
  let pv = 0;
  let loss = 0;
  for (let month = 0; month < remaining && balance > 0.5; month += 1) {
    const left = loan.termMonths - loan.ageMonths - month;
    const payment =
      noteMonthly === 0 ? balance / left : (balance * noteMonthly) / (1 - (1 + noteMonthly) ** -left);
    const value = propertyValue * (economy.housePrice[month] as number);
    const defaulted = balance * monthly(defaultRate(loan.creditScore, balance / value));
    const defaultLoss = defaulted * lossSeverity(balance, value);
    const performing = balance - defaulted;
    const interest = performing * noteMonthly;
    const scheduled = Math.min(performing, (payment - balance * noteMonthly) * (performing / balance));
    const prepaid =
      (performing - scheduled) * monthly(prepaymentRate(loan.rate, economy.mortgageRate[month] as number));
    discount *= Math.exp(-(economy.shortRate[month] as number) * DT);
    pv += (interest + scheduled + prepaid + defaulted - defaultLoss) * discount;
    loss += defaultLoss * discount;
    balance = performing - scheduled - prepaid;
  }
  return { pvCents: Math.round(pv), lossCents: Math.round(loss) };
}

/** Nearest-rank percentile of sorted integers. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface LoanResult {
  loan: number;
  balanceCents: number;
  expectedPvCents: number;
  expectedLossCents: number;
  pvCents: { p5: number; p50: number; p95: number };
  lossCents: { p50: number; p95: number; p99: number };
}

export interface ChunkResult {
  loans: LoanResult[];
  /** Per scenario, the sum over the chunk's loans (integer cents: sums are exact below 2^53). */
  scenarioPvCents: number[];
  scenarioLossCents: number[];
  /** Loan-scenario-months simulated: the benchmark's unit of work. */
  loanScenarioMonths: number;
}

/** Every loan of a chunk through every scenario; scenarios are built once and shared by the loans. */
export function valueLoans(
  loans: readonly Loan[],
  scenarios: readonly Scenario[],
  horizonMonths: number,
): ChunkResult {
  const scenarioPvCents = new Array<number>(scenarios.length).fill(0);
  const scenarioLossCents = new Array<number>(scenarios.length).fill(0);
  let loanScenarioMonths = 0;
  const results = loans.map((loan) => {
    const pvs = new Float64Array(scenarios.length);
    const losses = new Float64Array(scenarios.length);
    let pvSum = 0;
    let lossSum = 0;
    scenarios.forEach((economy, index) => {
      const { pvCents, lossCents } = runLoan(loan, economy, horizonMonths);
      pvs[index] = pvCents;
      losses[index] = lossCents;
      pvSum += pvCents;
      lossSum += lossCents;
      scenarioPvCents[index] = (scenarioPvCents[index] as number) + pvCents;
      scenarioLossCents[index] = (scenarioLossCents[index] as number) + lossCents;
    });
    loanScenarioMonths += scenarios.length * Math.min(loan.termMonths - loan.ageMonths, horizonMonths);
    pvs.sort();
    losses.sort();
    return {
      loan: loan.loan,
      balanceCents: loan.balanceCents,
      expectedPvCents: Math.round(pvSum / scenarios.length),
      expectedLossCents: Math.round(lossSum / scenarios.length),
      pvCents: { p5: percentile(pvs, 5), p50: percentile(pvs, 50), p95: percentile(pvs, 95) },
      lossCents: { p50: percentile(losses, 50), p95: percentile(losses, 95), p99: percentile(losses, 99) },
    };
  });
  return { loans: results, scenarioPvCents, scenarioLossCents, loanScenarioMonths };
}

export interface PortfolioResult {
  loans: number;
  scenarios: number;
  expectedPvCents: number;
  expectedLossCents: number;
  pvCents: { p5: number; p50: number; p95: number };
  lossCents: { p50: number; p95: number; p99: number };
  loanScenarioMonths: number;
}

/** The portfolio from its chunks' per-scenario sums: integers added, so the order does not matter. */
export function portfolioTotals(
  chunks: readonly Omit<ChunkResult, 'loans'>[],
  loanCount: number,
): PortfolioResult {
  const scenarios = chunks[0]?.scenarioPvCents.length ?? 0;
  const pv = new Float64Array(scenarios);
  const loss = new Float64Array(scenarios);
  let loanScenarioMonths = 0;
  for (const chunk of chunks) {
    chunk.scenarioPvCents.forEach((cents, index) => {
      pv[index] = (pv[index] as number) + cents;
    });
    chunk.scenarioLossCents.forEach((cents, index) => {
      loss[index] = (loss[index] as number) + cents;
    });
    loanScenarioMonths += chunk.loanScenarioMonths;
  }
  const mean = (values: Float64Array) =>
    Math.round(values.reduce((sum, value) => sum + value, 0) / scenarios);
  const expectedPvCents = mean(pv);
  const expectedLossCents = mean(loss);
  pv.sort();
  loss.sort();
  return {
    loans: loanCount,
    scenarios,
    expectedPvCents,
    expectedLossCents,
    pvCents: { p5: percentile(pv, 5), p50: percentile(pv, 50), p95: percentile(pv, 95) },
    lossCents: { p50: percentile(loss, 50), p95: percentile(loss, 95), p99: percentile(loss, 99) },
    loanScenarioMonths,
  };
}

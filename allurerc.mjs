// Allure 3 report settings (npm run report). History is kept per target across runs, so the
// report shows each test's trend on staging apart from production.
export default {
  name: `superlists-live-tests: ${process.env.ALLURE_TARGET ?? 'all targets'}`,
  historyPath: process.env.ALLURE_HISTORY_PATH ?? './reports/allure-history.jsonl',
};

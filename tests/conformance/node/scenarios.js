'use strict';
// The scenario files (tests/conformance/scenarios/*.json): read in order and checked against
// the form of tests/conformance/README.md, so that a mistake in one is reported with its
// file, scenario and step before anything runs.

const fs = require('node:fs');
const path = require('node:path');
const { isObject } = require('./patterns');

const SCENARIO_DIR = path.resolve(__dirname, '..', 'scenarios');

/** Each operation a call step may name, with the request fields it takes (README's table). */
const OPERATIONS = {
  getClientInstallation: ['company_id'],
  createClientInstallation: ['status', 'metadata'],
  updateClientInstallation: ['status', 'metadata', 'errorCode'],
  deleteClientInstallation: [],
  activateMyInstallation: [],
  completeInstallationExternalClientOnlyIdempotently: [],
  introspect: [],
  waitForStatus: ['statuses', 'timeout_ms'],
  refreshTokens: [],
};

/** The keys each kind of step may have; the kind is the one of them it has. */
const STEP_KEYS = {
  admin: ['admin', 'body', 'expect', 'save'],
  client: ['client', 'error', 'log_level'],
  call: ['call', 'request', 'result', 'error', 'exact', 'max_ms', 'min_ms'],
  logs: ['logs'],
};

/** The values of a client step's `log_level`. */
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

const ADMIN_REQUEST = /^[A-Z]+ \/\S*$/;

/** A scenario file that does not have the README's form. */
class ScenarioError extends Error {}

/**
 * Every scenario (`{ key, steps }`) whose key contains `filterText`: files in name order,
 * scenarios in file order. Throws a ScenarioError for the first malformed one.
 */
function loadAll(directory = SCENARIO_DIR, filterText = '') {
  const files = fs
    .readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort();
  return files
    .flatMap((name) => loadFile(path.join(directory, name)))
    .filter((scenario) => scenario.key.includes(filterText));
}

/** The scenarios of one file, checked. */
function loadFile(file) {
  const name = path.basename(file);
  let document;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioError(`${name}: not JSON: ${error.message}`);
  }
  if (!isObject(document) || !Array.isArray(document.scenarios))
    throw new ScenarioError(`${name}: no "scenarios" array`);
  const stem = path.basename(file, '.json');
  const keys = new Set();
  return document.scenarios.map((scenario, index) => {
    const where = `${name}: scenario ${index} (${JSON.stringify(scenario?.name ?? null)})`;
    if (typeof scenario?.name !== 'string' || scenario.name === '') throw new ScenarioError(`${where}: no name`);
    const key = `${stem}/${scenario.name}`;
    if (keys.has(key)) throw new ScenarioError(`${where}: the name is used twice in the file`);
    keys.add(key);
    const { steps } = scenario;
    if (Object.keys(scenario).sort().join() !== 'name,steps' || !Array.isArray(steps) || steps.length === 0) {
      throw new ScenarioError(`${where}: needs exactly "name" and a non-empty "steps" array`);
    }
    steps.forEach((step, number) => {
      const problem = stepProblem(step);
      if (problem) throw new ScenarioError(`${where}: step ${number}: ${problem}`);
    });
    return { key, steps };
  });
}

/** What is wrong with a step's form, or `''`. */
function stepProblem(step) {
  if (!isObject(step)) return 'not an object';
  const kinds = Object.keys(STEP_KEYS).filter((kind) => kind in step);
  if (kinds.length !== 1) return 'needs exactly one of "admin", "client", "call" and "logs"';
  const [kind] = kinds;
  const unknown = Object.keys(step).filter((key) => !STEP_KEYS[kind].includes(key));
  if (unknown.length) return `a ${kind} step has no key ${unknown.map((k) => `'${k}'`).join(', ')}`;
  if (kind === 'admin') return adminProblem(step);
  if (kind === 'client') return clientProblem(step);
  if (kind === 'logs') return Array.isArray(step.logs) ? '' : 'logs is not a list of events';
  return callProblem(step);
}

function clientProblem(step) {
  if (!isObject(step.client)) return 'the client configuration is not an object';
  if ('log_level' in step && !LOG_LEVELS.includes(step.log_level))
    return `log_level ${JSON.stringify(step.log_level)} is not one of ${LOG_LEVELS.join(', ')}`;
  return '';
}

function adminProblem(step) {
  if (typeof step.admin !== 'string' || !ADMIN_REQUEST.test(step.admin))
    return `admin ${JSON.stringify(step.admin)} is not "METHOD /path"`;
  if ('save' in step && typeof step.save !== 'string') return 'save is not a name';
  return '';
}

function callProblem(step) {
  if (!Object.prototype.hasOwnProperty.call(OPERATIONS, step.call))
    return `unknown operation ${JSON.stringify(step.call)}`;
  const fields = OPERATIONS[step.call];
  const request = step.request ?? {};
  if (!isObject(request)) return 'the request is not an object';
  const unknown = Object.keys(request).filter((key) => !fields.includes(key));
  if (unknown.length) return `${step.call} takes no request field ${unknown.map((k) => `'${k}'`).join(', ')}`;
  if ('result' in step === 'error' in step) return 'needs exactly one of "result" and "error"';
  for (const bound of ['max_ms', 'min_ms']) {
    const value = step[bound] ?? 0;
    if (!Number.isSafeInteger(value) || value < 0) return `${bound} is not a whole number of milliseconds`;
  }
  return '';
}

module.exports = { loadAll, loadFile, ScenarioError, OPERATIONS };

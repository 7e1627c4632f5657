'use strict';
// The AmlLint task: a thin launcher of the Python CLI, with no npm dependencies.
//
// 1. find Python 3.10+ on the agent (AML_LINT_PYTHON, else python3/python, or py -3 on Windows);
// 2. make a virtual environment in the agent's tool cache (kept between jobs on self-hosted
//    agents) or in its temp folder, keyed by the wheel and the interpreter, and reuse it when
//    it is complete;
// 3. pip-install the aml-lint wheel shipped in ./wheel (its dependencies come from the index
//    pip is configured with: PIP_INDEX_URL, pip.conf, or wheels placed next to it);
// 4. run `aml-lint ci azure`. Inputs reach it as INPUT_* variables and the access token as
//    SYSTEM_ACCESSTOKEN, both in the environment, never on the command line. Its stdout and
//    stderr both go to our stdout (the agent keeps the order), and its exit code is ours.

const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const MIN_PYTHON = [3, 10];
const IS_WINDOWS = process.platform === 'win32';
const READY_FILE = '.aml-lint-ready';
// The job's OAuth token, as the agent hands it to every task (SystemVssConnection endpoint).
const ENDPOINT_TOKEN = 'ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN';
const ENDPOINT_JSON = 'ENDPOINT_AUTH_SYSTEMVSSCONNECTION';

function escapeValue(text) {
  // The agent's escaping (see src/aml_lint/report/azure.py), and ##vso -> **vso.
  return String(text)
    .replace(/%/g, '%AZP25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/]/g, '%5D')
    .replace(/;/g, '%3B')
    .replace(/##(?=vso|\[)/gi, '**');
}

function vso(name, props, data) {
  const pairs = Object.entries(props || {}).map(([k, v]) => `${k}=${escapeValue(v)}`);
  const head = pairs.length ? `${name} ${pairs.join(';')}` : name;
  return `##vso[${head}]${escapeValue(data || '')}`;
}

class TaskError extends Error {}

function log(line) {
  process.stdout.write(line + '\n');
}

function accessToken(env) {
  if (env.SYSTEM_ACCESSTOKEN) return env.SYSTEM_ACCESSTOKEN;
  if (env[ENDPOINT_TOKEN]) return env[ENDPOINT_TOKEN];
  try {
    const endpoint = JSON.parse(env[ENDPOINT_JSON] || '{}');
    return (endpoint.parameters && endpoint.parameters.AccessToken) || '';
  } catch (e) {
    return '';
  }
}

// The environment without secrets: pip and venv have no business seeing the token.
function withoutSecrets(env) {
  const clean = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === 'SYSTEM_ACCESSTOKEN' || key.startsWith('ENDPOINT_AUTH') || key.startsWith('SECRET_')) continue;
    clean[key] = value;
  }
  return clean;
}

function findWheel(taskDir) {
  const dir = path.join(taskDir, 'wheel');
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((n) => /^aml_lint-.+\.whl$/.test(n));
  } catch (e) {
    // reported below
  }
  if (names.length !== 1) {
    throw new TaskError(
      `expected exactly one aml_lint-*.whl in ${dir}, found ${names.length}: ` +
      'the task was packaged without its wheel (see azure-pipelines-task/package.sh)');
  }
  return path.join(dir, names[0]);
}

function pythonCandidates(env) {
  if (env.AML_LINT_PYTHON) return [[env.AML_LINT_PYTHON]];
  return IS_WINDOWS ? [['py', '-3'], ['python'], ['python3']] : [['python3'], ['python']];
}

const PROBE = 'import json, sys; print(json.dumps([sys.version_info[0], sys.version_info[1], sys.executable]))';

function findPython(env) {
  const tried = [];
  for (const cmd of pythonCandidates(env)) {
    const res = childProcess.spawnSync(cmd[0], [...cmd.slice(1), '-c', PROBE], {
      encoding: 'utf8', timeout: 60000, env: withoutSecrets(env), windowsHide: true,
    });
    if (res.error || res.status !== 0) {
      tried.push(`${cmd.join(' ')}: not found`);
      continue;
    }
    try {
      const [major, minor, executable] = JSON.parse(res.stdout.trim().split(/\r?\n/).pop());
      if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) {
        return { executable, version: `${major}.${minor}` };
      }
      tried.push(`${cmd.join(' ')}: Python ${major}.${minor}`);
    } catch (e) {
      tried.push(`${cmd.join(' ')}: unexpected answer`);
    }
  }
  throw new TaskError(
    `no Python ${MIN_PYTHON.join('.')} or newer on this agent (${tried.join('; ')}); ` +
    "add a 'UsePythonVersion@0' step with versionSpec: '3.x' before this task, or set AML_LINT_PYTHON");
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function venvDir(env, wheel, python) {
  const key = crypto.createHash('sha256')
    .update(sha256File(wheel)).update('\0').update(python.executable).update('\0').update(python.version)
    .digest('hex').slice(0, 16);
  const version = (path.basename(wheel).match(/^aml_lint-([^-]+)-/) || [])[1] || 'unknown';
  if (env.AGENT_TOOLSDIRECTORY) {
    // The tool cache layout: <tool>/<version>/<variant>.
    return path.join(env.AGENT_TOOLSDIRECTORY, 'aml-lint', version, `${os.arch()}-${key}`);
  }
  return path.join(env.AGENT_TEMPDIRECTORY || os.tmpdir(), 'aml-lint-venv', `${version}-${key}`);
}

function venvPaths(dir) {
  const bin = path.join(dir, IS_WINDOWS ? 'Scripts' : 'bin');
  return {
    python: path.join(bin, IS_WINDOWS ? 'python.exe' : 'python'),
    amlLint: path.join(bin, IS_WINDOWS ? 'aml-lint.exe' : 'aml-lint'),
  };
}

function runStep(what, command, args, env) {
  // stdout and stderr of the child both go to our stdout, in order.
  const res = childProcess.spawnSync(command, args, { stdio: ['ignore', 1, 1], env, windowsHide: true });
  if (res.error) throw new TaskError(`${what}: ${res.error.message}`);
  if (res.status !== 0) throw new TaskError(`${what} failed (exit code ${res.status})`);
}

// A cached venv whose base interpreter was removed or replaced must be made again.
function works(venvPython, env) {
  const res = childProcess.spawnSync(venvPython, ['-c', 'import aml_lint'], {
    timeout: 60000, windowsHide: true, env: withoutSecrets(env),
  });
  return !res.error && res.status === 0;
}

function ensureVenv(python, wheel, dir, env) {
  const ready = path.join(dir, READY_FILE);
  const stamp = sha256File(wheel);
  const bins = venvPaths(dir);
  try {
    if (fs.readFileSync(ready, 'utf8').trim() === stamp && fs.existsSync(bins.amlLint) && works(bins.python, env)) {
      log(`aml-lint: using the environment in ${dir}`);
      return bins;
    }
  } catch (e) {
    // not there yet, or left half-made by an interrupted job: start again
  }
  const clean = withoutSecrets(env);
  log('##[group]Installing aml-lint');
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    log(`aml-lint: creating a virtual environment in ${dir} with Python ${python.version}`);
    runStep('creating the virtual environment (on Debian/Ubuntu the python3-venv package, ' +
      "or a 'UsePythonVersion@0' step, provides what it needs)", python.executable, ['-m', 'venv', dir], clean);
    runStep('installing the aml-lint wheel', bins.python, [
      '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input',
      '--find-links', path.dirname(wheel), wheel,
    ], clean);
    fs.writeFileSync(ready, stamp + '\n');
  } finally {
    log('##[endgroup]');
  }
  return bins;
}

function main() {
  const env = process.env;
  let bins;
  try {
    const wheel = findWheel(__dirname);
    const python = findPython(env);
    bins = ensureVenv(python, wheel, venvDir(env, wheel, python), env);
  } catch (e) {
    if (!(e instanceof TaskError)) throw e;
    log(vso('task.logissue', { type: 'error' }, `aml-lint: ${e.message}`));
    log(vso('task.complete', { result: 'Failed' }, 'aml-lint could not start'));
    process.exitCode = 2;
    return;
  }
  const childEnv = withoutSecrets(env);
  const token = accessToken(env);
  if (token) childEnv.SYSTEM_ACCESSTOKEN = token;
  childEnv.PYTHONIOENCODING = 'utf-8';
  childEnv.PYTHONUNBUFFERED = '1';
  const child = childProcess.spawn(bins.amlLint, ['ci', 'azure'], {
    cwd: env.BUILD_SOURCESDIRECTORY || process.cwd(),
    env: childEnv,
    stdio: ['ignore', 1, 1],
    windowsHide: true,
  });
  child.on('error', (err) => {
    log(vso('task.logissue', { type: 'error' }, `aml-lint: cannot run ${bins.amlLint}: ${err.message}`));
    log(vso('task.complete', { result: 'Failed' }, 'aml-lint could not start'));
    process.exitCode = 2;
  });
  child.on('close', (code, signal) => {
    if (signal) {
      log(vso('task.logissue', { type: 'error' }, `aml-lint was stopped by ${signal}`));
      process.exitCode = 1;
      return;
    }
    process.exitCode = code;
  });
}

if (require.main === module) {
  main();
}

module.exports = { escapeValue, vso, accessToken, withoutSecrets, venvDir, findWheel };

'use strict';
// The task as the agent runs it: `node index.js` with INPUT_* and agent variables, a real
// Python venv made by index.js, the aml-lint wheel built from this repository, and a git
// fixture repository. No network: pip installs from wheels this test builds (--no-index).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const TASK_SRC = path.resolve(__dirname, '..');
const REPO = path.resolve(TASK_SRC, '..');
const PYTHON = process.env.AML_LINT_TEST_PYTHON || (process.platform === 'win32' ? 'python' : 'python3');
const TOKEN = 'tok-7d0e51c9a2';

let work; let taskDir; let house; let fixture;

function sh(cmd, args, opts = {}) {
  const res = childProcess.spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr || res.error}`);
  }
  return res.stdout;
}

function git(cwd, ...args) {
  return sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });
}

function write(root, rel, text) {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

const CONDA = [
  'name: score', 'channels: [conda-forge]', 'dependencies:', '  - python=3.10', '  - pip',
  '  - pip:', '      - azureml-inference-server-http', '',
].join('\n');

function deployment(conda) {
  return [
    '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json',
    'name: blue', 'endpoint_name: my-endpoint', 'model: azureml:my-model:1',
    'code_configuration:', '  code: ../../src', '  scoring_script: score.py',
    'environment:', `  conda_file: ${conda}`,
    '  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest',
    'instance_type: Standard_DS3_v2', 'instance_count: 1', '',
  ].join('\n');
}

function copyTask(dest, withWheel) {
  fs.mkdirSync(dest, { recursive: true });
  for (const name of ['task.json', 'index.js']) fs.copyFileSync(path.join(TASK_SRC, name), path.join(dest, name));
  if (withWheel) fs.cpSync(path.join(house, 'wheel'), path.join(dest, 'wheel'), { recursive: true });
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aml-lint-task-'));
  house = path.join(work, 'house');
  sh(PYTHON, [path.join(__dirname, 'make_wheelhouse.py'), REPO, house]);
  taskDir = path.join(work, 'tasks', 'AmlLint');
  copyTask(taskDir, true);

  // main: a clean environment and an old broken deployment; the PR adds a second broken one.
  fixture = path.join(work, 's');
  fs.mkdirSync(fixture);
  git(fixture, 'init', '-q', '-b', 'main');
  write(fixture, 'env/conda.yml', CONDA);
  // Only the rule these tests are about, so that new rules do not change what they see.
  write(fixture, '.aml-lint.yml', 'select: [AML101]\n');
  write(fixture, 'src/score.py', 'def init():\n    pass\n\n\ndef run(data):\n    return data\n');
  write(fixture, 'legacy/deploy/deployment.yml', deployment('../../env/gone.yml'));
  git(fixture, 'add', '-A');
  git(fixture, 'commit', '-qm', 'base');
  git(fixture, 'checkout', '-qb', 'feature');
  write(fixture, 'endpoints/blue/deployment.yml', deployment('../../env/missing.yml'));
  git(fixture, 'add', '-A');
  git(fixture, 'commit', '-qm', 'add blue');
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function agentEnv(extra) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME || work,
    SystemRoot: process.env.SystemRoot,
    TMPDIR: work,
    // pip: only the wheels this test built, no config files, no index.
    PIP_CONFIG_FILE: os.devnull,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: path.join(house, 'deps'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_COMPILE: '1', // no .pyc: faster, and checks nothing less
    // What the agent sets for a task step.
    AGENT_TOOLSDIRECTORY: path.join(work, 'tools'),
    AGENT_TEMPDIRECTORY: path.join(work, 'agent-temp'),
    BUILD_SOURCESDIRECTORY: fixture,
    SYSTEM_DEFAULTWORKINGDIRECTORY: fixture,
    SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main',
    BUILD_REASON: 'PullRequest',
    INPUT_PATHS: '.',
    INPUT_CONFIGFILE: fixture, // an empty filePath input arrives as the sources folder
    INPUT_FAILON: 'error',
    INPUT_COMMENT: 'never',
    INPUT_SARIFFILE: '',
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  fs.mkdirSync(env.AGENT_TEMPDIRECTORY, { recursive: true });
  return env;
}

function runTask(extra, dir = taskDir) {
  return new Promise((resolve, reject) => {
    const child = childProcess.spawn(process.execPath, [path.join(dir, 'index.js')], {
      env: agentEnv(extra), cwd: fixture, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The agent's reading of a line: first ##vso[ anywhere, up to the first ], then data.
function unescape(text) {
  return text.replace(/%3B/g, ';').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']')
    .replace(/%AZP25/g, '%');
}

function commands(stdout) {
  const out = [];
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    const start = line.indexOf('##vso[');
    if (start < 0) continue;
    const end = line.indexOf(']', start);
    if (end < 0) continue;
    const info = line.slice(start + 6, end);
    const space = info.indexOf(' ');
    const name = space < 0 ? info : info.slice(0, space);
    const props = {};
    if (space >= 0) {
      for (const pair of info.slice(space + 1).split(';')) {
        const eq = pair.indexOf('=');
        if (eq > 0) props[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
      }
    }
    out.push({ name, props, data: unescape(line.slice(end + 1)) });
  }
  return out;
}

test('first run makes the venv in the tool cache, installs the wheel and reports the PR', { timeout: 600000 }, async () => {
  const { code, stdout, stderr } = await runTask({});
  assert.equal(stderr, '', 'everything goes to stdout');
  assert.match(stdout, /##\[group\]Installing aml-lint/);
  const cmds = commands(stdout);
  const issues = cmds.filter((c) => c.name === 'task.logissue');
  assert.ok(issues.length >= 1, stdout);
  for (const issue of issues) {
    assert.equal(issue.props.type, 'error');
    assert.equal(issue.props.code, 'AML101');
    // Only the file the PR changed, not the old broken deployment on main.
    assert.equal(issue.props.sourcepath, path.join(fixture, 'endpoints', 'blue', 'deployment.yml'));
    assert.match(issue.props.linenumber, /^\d+$/);
  }
  const [summary] = cmds.filter((c) => c.name === 'task.uploadsummary');
  assert.ok(summary.data.startsWith(path.join(work, 'agent-temp')), summary.data);
  const markdown = fs.readFileSync(summary.data, 'utf8');
  assert.match(markdown, /AML101/);
  assert.doesNotMatch(markdown, /legacy/);
  const complete = cmds.filter((c) => c.name === 'task.complete');
  assert.deepEqual(complete.map((c) => c.props.result), ['Failed']);
  assert.equal(code, 1);
  const cache = path.join(work, 'tools', 'aml-lint', '0.1.0');
  const [variant] = fs.readdirSync(cache);
  assert.ok(fs.existsSync(path.join(cache, variant, '.aml-lint-ready')));
});

test('second run reuses the environment; failOn never succeeds with issues', { timeout: 600000 }, async () => {
  const { code, stdout } = await runTask({ INPUT_FAILON: 'never', INPUT_SARIFFILE: 'out/aml-lint.sarif' });
  assert.doesNotMatch(stdout, /Installing aml-lint/);
  assert.match(stdout, /using the environment in/);
  const cmds = commands(stdout);
  assert.deepEqual(cmds.filter((c) => c.name === 'task.complete').map((c) => c.props.result), ['SucceededWithIssues']);
  const [upload] = cmds.filter((c) => c.name === 'artifact.upload');
  assert.deepEqual(upload.props, { containerfolder: 'CodeAnalysisLogs', artifactname: 'CodeAnalysisLogs' });
  const sarif = JSON.parse(fs.readFileSync(upload.data, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.equal(code, 0);
});

test('a broken cached environment is made again', { timeout: 600000 }, async () => {
  const cache = path.join(work, 'tools', 'aml-lint', '0.1.0');
  const [variant] = fs.readdirSync(cache);
  const venv = path.join(cache, variant);
  // What a job killed half-way through a pip upgrade, or a cleaned tool cache, leaves behind.
  const [pkg] = sh(PYTHON, ['-c', 'import glob,sys; print(glob.glob(sys.argv[1], recursive=True)[0])',
    path.join(venv, '**', 'site-packages', 'aml_lint')]).trim().split('\n');
  fs.rmSync(pkg, { recursive: true, force: true });
  const { code, stdout } = await runTask({});
  assert.match(stdout, /##\[group\]Installing aml-lint/);
  assert.deepEqual(commands(stdout).filter((c) => c.name === 'task.complete').map((c) => c.props.result), ['Failed']);
  assert.equal(code, 1);
});

test('bad input is exit code 2 with an error issue', { timeout: 600000 }, async () => {
  const { code, stdout } = await runTask({ INPUT_FAILON: 'sometimes' });
  const cmds = commands(stdout);
  const [issue] = cmds.filter((c) => c.name === 'task.logissue');
  assert.equal(issue.props.type, 'error');
  assert.match(issue.data, /failOn/);
  assert.equal(code, 2);
});

test('the access token reaches aml-lint through the environment and the PR thread', { timeout: 600000 }, async () => {
  const seen = [];
  const threads = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      if (req.method === 'GET') {
        res.end(JSON.stringify({ value: threads, count: threads.length }));
      } else if (req.method === 'POST') {
        const thread = { id: threads.length + 1, status: 'active', isDeleted: false, ...JSON.parse(body) };
        thread.comments = thread.comments.map((c, i) => ({ id: i + 1, ...c }));
        threads.push(thread);
        res.end(JSON.stringify(thread));
      } else {
        res.statusCode = 405;
        res.end('{}');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address();
    const { code, stdout } = await runTask({
      INPUT_COMMENT: 'auto',
      // The agent hands every task the job's token as the SystemVssConnection endpoint.
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: TOKEN,
      SYSTEM_COLLECTIONURI: `http://127.0.0.1:${port}/org/`,
      SYSTEM_TEAMPROJECT: 'My Project',
      BUILD_REPOSITORY_ID: 'repo-1',
      BUILD_REPOSITORY_PROVIDER: 'TfsGit',
      SYSTEM_PULLREQUEST_PULLREQUESTID: '9',
      SYSTEM_DEFINITIONID: '3',
    });
    assert.equal(code, 1);
    assert.ok(!stdout.includes(TOKEN), 'the token is never printed');
    // One listing finds earlier suggestion threads (input suggestions: auto), one the sticky summary.
    assert.deepEqual(seen.map((r) => r.method), ['GET', 'GET', 'POST']);
    for (const r of seen) {
      assert.equal(r.auth, `Bearer ${TOKEN}`);
      assert.ok(r.url.startsWith('/org/My%20Project/_apis/git/repositories/repo-1/pullRequests/9/threads'), r.url);
      assert.match(r.url, /api-version=7\.1/);
    }
    assert.equal(threads.length, 1);
    assert.match(threads[0].comments[0].content, /^<!-- aml-lint:azure-thread v1 key=3\//);
    assert.match(stdout, /pull request thread 1 created/);
  } finally {
    server.close();
  }
});

test('no usable Python: a clear error naming UsePythonVersion, exit code 2', { timeout: 600000 }, async () => {
  const { code, stdout } = await runTask({ AML_LINT_PYTHON: path.join(work, 'no-such-python') });
  const cmds = commands(stdout);
  assert.equal(cmds[0].name, 'task.logissue');
  assert.match(cmds[0].data, /UsePythonVersion@0/);
  assert.equal(cmds[1].props.result, 'Failed');
  assert.equal(code, 2);
});

test('a task folder without its wheel says how to package it', { timeout: 600000 }, async () => {
  const bare = path.join(work, 'tasks', 'Bare');
  copyTask(bare, false);
  const { code, stdout } = await runTask({}, bare);
  const [issue] = commands(stdout).filter((c) => c.name === 'task.logissue');
  assert.match(issue.data, /package\.sh/);
  assert.equal(code, 2);
});

test('index.js escapes like the agent and keeps secrets from pip', () => {
  const task = require(path.join(TASK_SRC, 'index.js'));
  const hostile = 'a]b;c\r\nd%e ##vso[task.complete result=Succeeded]';
  const line = task.vso('task.logissue', { type: 'error', sourcepath: hostile }, hostile);
  assert.equal(line.split(/\r|\n/).length, 1);
  const parsed = commands(line);
  assert.equal(parsed.length, 1);
  assert.deepEqual(Object.keys(parsed[0].props), ['type', 'sourcepath']);
  assert.equal(parsed[0].props.sourcepath, hostile.replace('##vso', '**vso'));
  assert.equal(parsed[0].data, hostile.replace('##vso', '**vso'));

  const env = { PATH: '/bin', SYSTEM_ACCESSTOKEN: 'x', ENDPOINT_AUTH_SYSTEMVSSCONNECTION: '{}', SECRET_A: 'y' };
  assert.deepEqual(task.withoutSecrets(env), { PATH: '/bin' });
  assert.equal(task.accessToken({ ENDPOINT_AUTH_SYSTEMVSSCONNECTION: '{"parameters":{"AccessToken":"z"}}' }), 'z');
  assert.equal(task.accessToken({}), '');
});

test('task.json names the inputs that aml-lint ci azure reads, and its handler exists', () => {
  const task = JSON.parse(fs.readFileSync(path.join(TASK_SRC, 'task.json'), 'utf8'));
  assert.deepEqual(task.inputs.map((i) => i.name), ['paths', 'configFile', 'failOn', 'comment', 'suggestions', 'sarifFile', 'resolve']);
  assert.equal(task.execution.Node20_1.target, 'index.js');
  assert.ok(fs.existsSync(path.join(TASK_SRC, task.execution.Node20_1.target)));
  const python = fs.readFileSync(path.join(REPO, 'src', 'aml_lint', 'ci', 'azure.py'), 'utf8');
  for (const input of task.inputs) assert.match(python, new RegExp(`(env|flag)_input\\(env, "${input.name}"`));
});

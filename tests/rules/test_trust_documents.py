"""Issue 12, "Documents" and "Templates and placeholders": each false-finding class removed, from a
hand-made minimal reproduction, with the true finding of the same kind still reported."""

from __future__ import annotations

import pytest

from lintkit import LintFn, doc_example

SCHEMAS = "https://azuremlschemas.azureedge.net/latest/"
ONLINE = (f"$schema: {SCHEMAS}managedOnlineDeployment.schema.json\n"
          "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:m:1\nenvironment: azureml:env:1\n"
          "instance_type: Standard_DS3_v2\n")


def rules(found: list, *ids: str) -> list[tuple[str, str, int]]:
    return [(f.rule_id, f.severity.label, f.line) for f in found if not ids or f.rule_id in ids]


# -- templates and placeholders ------------------------------------------------------------------

def test_placeholder_in_a_comment_does_not_make_a_template(lint: LintFn) -> None:
    # Before: one `<SUB_ID>` in a comment made the whole file "templated" (AML004) and unchecked.
    dep = "# az ml online-deployment create --subscription <SUB_ID> -f dep.yml\n" + ONLINE + "instance_count: one\n"
    found = lint({"dep.yml": dep})
    assert rules(found, "AML004", "AML005") == [("AML005", "error", 8)]


def test_file_that_parses_only_once_rendered_is_a_template(lint: LintFn) -> None:
    dep = ONLINE.replace("name: blue", "name: {{ color }}-deployment") + "instance_count: one\n"
    assert rules(lint({"dep.yml": dep})) == [("AML004", "info", 2)]


def test_syntax_error_next_to_a_placeholder_is_still_a_syntax_error(lint: LintFn) -> None:
    # Rendering the placeholder does not make it parse: a real mistake, not a template.
    dep = ONLINE.replace("name: blue", "name: $(color)") + "instance_count: 3\n  bad_indent: 1\n"
    assert rules(lint({"dep.yml": dep}), "AML002", "AML004") == [("AML002", "error", 8)]


def test_placeholder_values_are_not_schema_errors(lint: LintFn) -> None:
    # `{{ name }}` unquoted is a flow mapping to YAML; `$(count)` is not an integer until rendered.
    dep = ONLINE.replace("name: blue", "name: {{ name }}") + 'instance_count: "$(count)"\n'
    dep += "request_settings:\n  request_timeout_ms: #{timeout}#\n"
    checked = ("AML002", "AML004", "AML005", "AML401", "AML404")
    assert rules(lint({"dep.yml": dep}), *checked) == []
    # Every other key is still checked.
    found = lint({"dep.yml": dep + "instance_typo: x\n"}, rule="AML005")
    assert rules(found) == [("AML005", "error", 10)] and "instance_typo" in found[0].message


def test_placeholder_names_are_not_name_errors(lint: LintFn) -> None:
    for name in ("#{deploymentName}#", "__DEPLOYMENT_NAME__", "$(deploymentName)", "{{ name }}", "<name>"):
        assert lint({"dep.yml": ONLINE.replace("name: blue", f"name: {name}") + "instance_count: 3\n"},
                    rule="AML404") == [], name
    found = lint({"dep.yml": ONLINE.replace("name: blue", "name: blue_v2") + "instance_count: 3\n"}, rule="AML404")
    assert rules(found) == [("AML404", "error", 2)]


def test_placeholder_secrets_are_not_secrets_in_clear(lint: LintFn) -> None:
    variables = ("environment_variables:\n  DB_PASSWORD: $(db_password)\n  API_TOKEN: '#{apiToken}#'\n"
                 "  STORAGE: DefaultEndpointsProtocol=https;AccountName=a;AccountKey=#{storageKey}#\n"
                 "  OPENAI_API_KEY: __OPENAI_API_KEY__\n")
    assert lint({"dep.yml": ONLINE + "instance_count: 3\n" + variables}, rule="AML407") == []
    found = lint({"dep.yml": ONLINE + "instance_count: 3\n" + variables + "  SMTP_PASSWORD: hunter2hunter2\n"},
                 rule="AML407")
    assert rules(found) == [("AML407", "error", 13)]


def test_placeholder_in_a_pip_index_url_is_not_a_password(lint: LintFn) -> None:
    conda = ("name: env\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
             "      - --extra-index-url https://build:$(System.AccessToken)@pkgs.example.org/simple\n")
    assert lint({"conda.yml": conda}, rule="AML219") == []
    found = lint({"conda.yml": conda.replace("$(System.AccessToken)", "s3cr3tPassw0rd")}, rule="AML219")
    assert rules(found) == [("AML219", "error", 6)]


# -- documents -----------------------------------------------------------------------------------

FINETUNING = """\
type: finetuning
name: "phi-mini-4k-instruct-finetuned-on-amlcompute"
experiment_name: "finetuning-experiment"
task: chat_completion
model:
  path: "azureml://registries/azureml/models/phi/versions/1"
  type: mlflow_model
compute: gpu-cluster
training_data: train.jsonl
hyperparameters:
  num_train_epochs: "1"
outputs:
  registered_model:
    name: "phi-finetuned"
"""


def test_finetuning_job_is_not_a_batch_deployment(lint: LintFn) -> None:
    # Before: nine AML005 errors and an AML404 name-length error, as if it were a batch deployment.
    assert lint({"finetune.yml": FINETUNING}) == []


def test_batch_deployment_without_schema_is_still_checked(lint: LintFn) -> None:
    dep = ("name: nightly\nendpoint_name: my-batch\nmodel: azureml:m:1\ncompute: azureml:cpu\n"
           "mini_batch_sise: 10\n")
    assert rules(lint({"dep.yml": dep}), "AML005") == [("AML005", "error", 5)]


def test_other_asset_schema_is_left_alone(lint: LintFn) -> None:
    # Command and pipeline jobs are checked now (issue 15); Spark jobs and pipeline components are not.
    job = (f"$schema: {SCHEMAS}sparkJob.schema.json\ncode: src\nentry:\n  file: train.py\n"
           "environment: azureml:env:1\ncompute: azureml:cpu\nmodel: azureml:m:1\n")
    pipeline = (f"$schema: {SCHEMAS}pipelineComponent.schema.json\ntype: pipeline\ncompute: azureml:cpu\n"
                "jobs:\n  train:\n    type: command\n    command: echo hi\n")
    assert lint({"job.yml": job, "pipeline.yml": pipeline}) == []


def test_unknown_schema_url_falls_back_to_shape(lint: LintFn) -> None:
    # Before: a typo in the `$schema` file name left the deployment unchecked.
    typo = ONLINE.replace("managedOnlineDeployment", "managedOnlineDeploymnt") + "instance_count: one\n"
    docs = ONLINE.replace(f"{SCHEMAS}managedOnlineDeployment.schema.json",
                          "https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-managed-online"
                          ) + "instance_count: one\n"
    assert rules(lint({"typo.yml": typo, "docs.yml": docs}), "AML005") == [("AML005", "error", 7)] * 2


def test_type_kubernetes_decides_the_online_schema(lint: LintFn) -> None:
    # Before: `resources` and the missing instance_type were schema errors against the managed schema.
    dep = (f"$schema: {SCHEMAS}managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: my-endpoint\n"
           "type: kubernetes\nmodel: azureml:m:1\nenvironment: azureml:env:1\ninstance_count: 1\n"
           "resources:\n  requests:\n    cpu: \"1\"\n    memory: 1Gi\n")
    found = lint({"dep.yml": dep})
    assert rules(found, "AML005", "AML008") == [("AML008", "warning", 4)]
    assert "kubernetesOnlineDeployment.schema.json" in found[0].message
    # A real error against the Kubernetes schema is still one.
    found = lint({"dep.yml": dep.replace("cpu: \"1\"", "cpus: \"1\"")})
    assert rules(found, "AML005") == [("AML005", "error", 10)]


def test_kubernetes_schema_without_type_is_a_warning(lint: LintFn) -> None:
    dep = (f"$schema: {SCHEMAS}kubernetesOnlineDeployment.schema.json\nname: blue\nendpoint_name: my-endpoint\n"
           "model: azureml:m:1\nenvironment: azureml:env:1\ninstance_count: 1\n")
    assert rules(lint({"dep.yml": dep}), "AML005", "AML008") == [("AML008", "warning", 1)]
    assert lint({"dep.yml": dep + "type: kubernetes\n"}, rule="AML008") == []


PREVIEW = """\
$schema: https://azuremlsdk2.blob.core.windows.net/latest/onlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
model:
  name: model-1
  version: 1
  local_path: model/model.pkl
code_configuration:
  code:
    local_path: src/
  scoring_script: score.py
environment:
  name: env-model1
  version: 1
  path: .
  conda_file: file:env/conda.yml
  docker:
    image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240101.v1
instance_type: Standard_F2s_v2
scale_settings:
  scale_type: manual
  instance_count: 1
  min_instances: 1
  max_instances: 2
"""


def test_preview_syntax_is_one_finding(lint: LintFn) -> None:
    # Before: eight separate AML005 errors.
    found = lint({"dep.yml": PREVIEW, "src/score.py": "def init():\n    pass\n\ndef run(d):\n    return d\n",
                  "env/conda.yml": "dependencies:\n  - python=3.11\n", "model/model.pkl": "x"})
    assert rules(found, "AML005", "AML007") == [("AML007", "error", 7)]
    message = found[0].message if found[0].rule_id == "AML007" else ""
    for mapping in ("model.local_path -> model.path", "environment.docker.image -> environment.image",
                    "scale_settings.instance_count -> instance_count",
                    "code_configuration.code.local_path -> code_configuration.code",
                    "managedOnlineDeployment.schema.json"):
        assert mapping in message, mapping


def test_preview_file_keeps_its_other_schema_errors(lint: LintFn) -> None:
    found = lint({"dep.yml": PREVIEW + "instance_typo: x\n"})
    assert rules(found, "AML005", "AML007") == [("AML007", "error", 7), ("AML005", "error", 25)]


def test_preview_environment(lint: LintFn) -> None:
    env = (f"$schema: {SCHEMAS}environment.schema.json\nname: gpu\nversion: 1\ndocker:\n  build:\n"
           "    dockerfile: file:Dockerfile\nconda_file: file:conda.yml\n")
    found = lint({"env.yml": env})
    assert rules(found, "AML005", "AML007") == [("AML007", "error", 4)]
    assert "docker.build.dockerfile -> build.path" in found[0].message
    # A current environment is not preview syntax.
    current = f"$schema: {SCHEMAS}environment.schema.json\nname: gpu\nversion: 1\nbuild:\n  path: .\n"
    assert lint({"env.yml": current, "Dockerfile": "FROM python:3.11-slim\n"}, rule="AML007") == []


# -- AML003 and AML404 severities ----------------------------------------------------------------

def test_duplicate_key_with_a_valid_kept_value_is_a_warning(lint: LintFn) -> None:
    dep = ONLINE + "instance_count: 3\ninstance_type: Standard_F4s_v2\n"
    assert rules(lint({"dep.yml": dep}), "AML003", "AML005") == [("AML003", "warning", 8)]


def test_duplicate_key_with_an_invalid_kept_value_is_an_error(lint: LintFn) -> None:
    dep = ONLINE + "instance_count: 3\ninstance_count: three\n"
    assert rules(lint({"dep.yml": dep}), "AML003") == [("AML003", "error", 8)]


def test_batch_deployment_name_follows_the_rest_api_pattern(lint: LintFn) -> None:
    # The SDK checks endpoint and online deployment names only; the REST API accepts underscores in a
    # batch deployment's name (^[a-zA-Z0-9][a-zA-Z0-9-_]{0,254}$).
    dep = (f"$schema: {SCHEMAS}modelBatchDeployment.schema.json\nname: mnist_deployment\n"
           "endpoint_name: my-batch\nmodel: azureml:m:1\ncompute: azureml:cpu\n")
    assert lint({"dep.yml": dep}, rule="AML404") == []
    assert rules(lint({"dep.yml": dep.replace("mnist_deployment", "mnist.deployment")}), "AML404") == [
        ("AML404", "error", 2)]
    # The endpoint it names is an endpoint, whose name the SDK checks.
    assert rules(lint({"dep.yml": dep.replace("my-batch", "my_batch")}), "AML404") == [("AML404", "error", 3)]


def test_broken_yaml_of_another_kind_is_left_alone(lint: LintFn) -> None:
    # A prompt flow mentions `environment:` (so it is read) and does not parse until code fills it in.
    flow = ("inputs:\n  question:\n    type: string\nnodes:\n- name: lookup\n  inputs:\n    content: >\n"
            "@@INDEX_CONTENT\nenvironment:\n  python_requirements_txt: requirements.txt\n")
    assert lint({"flow.dag.yaml": flow}) == []
    # A broken deployment is still a syntax error.
    broken = ONLINE + "instance_count: 3\n  bad_indent: 1\n"
    assert rules(lint({"dep.yml": broken}), "AML002") == [("AML002", "error", 8)]


def test_documentation_page_as_schema_names_the_kind(lint: LintFn) -> None:
    # `compute:` made the shape say "batch", so `instance_type` was an unknown key of a batch deployment.
    dep = ONLINE.replace(f"{SCHEMAS}managedOnlineDeployment.schema.json",
                         "https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-online")
    found = lint({"dep.yml": dep + "instance_count: 1\ncompute: azureml:aks\n"}, rule="AML005")
    assert [(f.line, "unknown key 'compute'" in f.message) for f in found] == [(8, True)]


def test_top_level_key_left_to_the_command_line_is_a_warning(lint: LintFn, monkeypatch: pytest.MonkeyPatch) -> None:
    # `az ml batch-deployment create --file x.yml --set compute=...` gives what the file leaves out.
    from jsonschema import Draft202012Validator

    from aml_lint.rules.general import schema as rule
    from aml_lint.schemas import SchemaProblem, _explain

    validator = Draft202012Validator({"type": "object", "dependentRequired": {"type": ["compute"]}})
    (problem,) = [p for e in validator.iter_errors({"type": "model"}) for p in _explain(e)]
    assert problem.message == "'type: model' requires 'compute' too, and it is missing"
    assert problem.missing == ("compute",) and problem.path == ()
    dep = (f"$schema: {SCHEMAS}batchDeployment.schema.json\nname: demo\nendpoint_name: my-batch\ntype: model\n"
           "max_concurrency_per_instance: two\n")
    monkeypatch.setattr(rule, "problems", lambda kind, data: iter([problem, SchemaProblem(
        "'max_concurrency_per_instance' must be an integer", ("max_concurrency_per_instance",))]))
    found = lint({"dep.yml": dep}, rule="AML005")
    assert rules(found) == [("AML005", "warning", 1), ("AML005", "error", 5)]
    assert "--set compute=..." in found[0].message


def test_unknown_top_level_key_message_is_one_clear_sentence(lint: LintFn) -> None:
    # Before: "unknown key 'compute' (allowed: $schema, app_insights_enabled, ... 25 keys)".
    found = lint({"dep.yml": ONLINE + "instance_count: 1\ncompute: azureml:aks\n"}, rule="AML005")
    assert [f.message for f in found] == [
        "unknown key 'compute' for a managed online deployment; the CLI refuses keys it does not know: "
        "remove it or correct its spelling"]


# -- the rule pages' own examples -----------------------------------------------------------------

# rule -> (file the example is written to, text around it, severity its Fails example gets)
PAGES = {
    "AML003": ("dep.yml", ONLINE.replace("instance_type: Standard_DS3_v2\n", "") + "{example}", "warning"),
    "AML004": ("dep.yml", f"$schema: {SCHEMAS}managedOnlineDeployment.schema.json\n{{example}}", "info"),
    "AML007": ("dep.yml", "{example}", "error"),
    "AML008": ("dep.yml", "{example}", "warning"),
}


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_rule_page_examples(lint: LintFn, rule_id: str) -> None:
    target, wrapper, severity = PAGES[rule_id]
    fails = lint({target: wrapper.replace("{example}", doc_example(rule_id, "Fails"))}, rule=rule_id)
    assert [f.severity.label for f in fails] == [severity], rule_id
    assert lint({target: wrapper.replace("{example}", doc_example(rule_id, "Passes"))}, rule=rule_id) == [], rule_id


def test_refused_type_of_a_mapping_is_one_finding(lint: LintFn, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: the refused `type` and then each key of that type as "unknown": one mistake, three errors.
    from aml_lint.rules.general import schema as rule
    from aml_lint.schemas import SchemaProblem

    stand_in = [SchemaProblem("'scale_settings.type' is 'target_utilization'; expected one of: default",
                              ("scale_settings", "type")),
                SchemaProblem("unknown key 'min_instances' under 'scale_settings'", ("scale_settings", "min_instances"),
                              on_key=True),
                SchemaProblem("unknown key 'max_instances' under 'scale_settings'", ("scale_settings", "max_instances"),
                              on_key=True),
                SchemaProblem("unknown key 'instance_typo'", ("instance_typo",), on_key=True)]
    monkeypatch.setattr(rule, "problems", lambda kind, data: iter(stand_in))
    dep = (ONLINE + "instance_count: 1\nscale_settings:\n  type: target_utilization\n  min_instances: 1\n"
           "  max_instances: 2\ninstance_typo: x\n")
    found = lint({"dep.yml": dep}, rule="AML005")
    assert [(f.line, f.message.split(";")[0]) for f in found] == [
        (9, "'scale_settings.type' is 'target_utilization'"), (12, "unknown key 'instance_typo'")]


def test_enum_message_for_a_yaml_boolean() -> None:
    from jsonschema import Draft202012Validator

    from aml_lint.schemas import _explain

    validator = Draft202012Validator({"type": "object", "properties": {"access": {
        "enum": ["enabled", "disabled", "Enabled", "Disabled"]}}})
    (problem,) = [p for e in validator.iter_errors({"access": False}) for p in _explain(e)]
    assert problem.message == ("'access' is the boolean false (YAML reads unquoted yes/no/on/off as booleans); "
                               "expected one of: enabled, disabled, quoted if need be")


def test_template_messages(lint: LintFn) -> None:
    value = ONLINE.replace("name: blue", "name: {{ color }}-deployment")
    tags = "{% if prod %}\n" + ONLINE + "{% endif %}\n"
    found = {f.path: f for f in lint({"a.yml": value, "b.yml": tags}, rule="AML004")}
    assert (found["a.yml"].line, found["b.yml"].line) == (2, 1)
    assert "quote the templated value" in found["a.yml"].message
    assert "template tags ({% if prod %})" in found["b.yml"].message


def test_batch_type_decides_the_batch_schema(lint: LintFn) -> None:
    dep = (f"$schema: {SCHEMAS}modelBatchDeployment.schema.json\nname: hello\nendpoint_name: hello-batch\n"
           "type: pipeline\ncomponent: azureml:hello:1\n")
    found = lint({"dep.yml": dep})
    assert rules(found, "AML005", "AML008") == [("AML008", "warning", 4)]
    # The generic batchDeployment schema names no kind: nothing to say.
    generic = dep.replace("modelBatchDeployment", "batchDeployment")
    assert rules(lint({"dep.yml": generic}), "AML005", "AML008") == []


def test_batch_setting_written_at_the_root_is_one_finding(lint: LintFn, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: AML403 (move it under settings:) and AML005 ('settings' is missing mini_batch_size).
    from aml_lint.rules.general import schema as rule
    from aml_lint.schemas import SchemaProblem

    missing = SchemaProblem("'settings' is missing required key(s): mini_batch_size", ("settings",),
                            missing=("mini_batch_size",))
    monkeypatch.setattr(rule, "problems", lambda kind, data: iter([missing]))
    dep = (f"$schema: {SCHEMAS}modelBatchDeployment.schema.json\nname: nightly\nendpoint_name: my-batch\n"
           "type: model\nmodel: azureml:m:1\ncompute: azureml:cpu\nsettings:\n  output_action: append_row\n")
    assert lint({"dep.yml": dep + "mini_batch_size: 10\n"}, rule="AML005") == []
    assert rules(lint({"dep.yml": dep}, rule="AML005")) == [("AML005", "error", 8)]

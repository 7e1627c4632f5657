"""Deployment settings rules AML401-AML407."""

from __future__ import annotations

from lintkit import LintFn

ONLINE = ("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
          "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:m:1\n"
          "instance_type: Standard_DS3_v2\n")
CODE = "code_configuration:\n  code: src\n  scoring_script: score.py\n"
SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
BATCH = ("$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\n"
         "name: nightly\nendpoint_name: my-batch\nmodel: azureml:m:1\ncompute: azureml:cpu\n")


def test_request_timeout_above_maximum(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE + "instance_count: 3\nrequest_settings:\n  request_timeout_ms: 300000\n"},
                 rule="AML401")
    assert [(f.line, f.severity.label) for f in found] == [(8, "error")]
    assert "request_timeout_ms is 300000, above the maximum of 180000" in found[0].message


def test_request_timeout_within_maximum(lint: LintFn) -> None:
    assert lint({"dep.yml": ONLINE + "instance_count: 3\nrequest_settings:\n  request_timeout_ms: 180000\n"},
                rule="AML401") == []


def test_max_queue_wait_is_deprecated(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE + "instance_count: 3\nrequest_settings:\n  max_queue_wait_ms: 2000\n"},
                 rule="AML402")
    assert [(f.line, f.severity.label) for f in found] == [(8, "warning")]
    assert "max_queue_wait_ms is deprecated" in found[0].message


def test_no_deprecated_setting(lint: LintFn) -> None:
    assert lint({"dep.yml": ONLINE + "instance_count: 3\nrequest_settings:\n  request_timeout_ms: 7000\n"},
                rule="AML402") == []


def test_batch_tuning_keys_at_root_with_type_model(lint: LintFn) -> None:
    found = lint({"b.yml": BATCH + "type: model\nmini_batch_size: 10\noutput_action: append_row\n"},
                 rule="AML403")
    assert [(f.line, f.severity.label) for f in found] == [(7, "error"), (8, "error")]
    assert "'mini_batch_size' is at the root of a 'type: model' batch deployment" in found[0].message


def test_batch_settings_without_type_and_summary_only_with_file(lint: LintFn) -> None:
    found = lint({"b.yml": BATCH + "settings:\n  output_action: summary_only\n  output_file_name: p.csv\n"},
                 rule="AML403")
    assert [f.line for f in found] == [6, 8]
    assert "only read with 'type: model'" in found[0].message
    assert "summary_only" in found[1].message


def test_batch_layouts_that_pass(lint: LintFn) -> None:
    assert lint({
        "new.yml": BATCH + "type: model\nsettings:\n  mini_batch_size: 10\n  output_action: append_row\n",
        "old.yml": BATCH.replace("nightly", "legacy") + "mini_batch_size: 10\noutput_action: summary_only\n",
    }, rule="AML403") == []


def test_bad_names(lint: LintFn) -> None:
    found = lint({
        "dep.yml": ONLINE.replace("name: blue", "name: sklearn_blue") + "instance_count: 3\n",
        "endpoint.yml": "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
                        "name: ep\nauth_mode: key\n",
    }, rule="AML404")
    assert sorted((f.path, f.line, f.severity.label) for f in found) == [
        ("dep.yml", 2, "error"), ("endpoint.yml", 2, "error")]
    messages = {f.path: f.message for f in found}
    assert "deployment name 'sklearn_blue' must start with a letter" in messages["dep.yml"]
    assert "endpoint name 'ep' is 2 characters long" in messages["endpoint.yml"]


def test_good_and_templated_names(lint: LintFn) -> None:
    assert lint({
        "dep.yml": ONLINE.replace("my-endpoint", "$ENDPOINT_NAME") + "instance_count: 3\n",
        "endpoint.yml": "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
                        "name: my-endpoint-01\nauth_mode: key\n",
    }, rule="AML404") == []


def test_concurrency_without_worker_count(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE + CODE + "instance_count: 3\nrequest_settings:\n"
                  "  max_concurrent_requests_per_instance: 4\n", "src/score.py": SCRIPT}, rule="AML405")
    assert [(f.line, f.severity.label) for f in found] == [(11, "warning")]
    assert "no WORKER_COUNT" in found[0].message


def test_concurrency_with_worker_count_or_custom_container(lint: LintFn) -> None:
    assert lint({
        "a.yml": ONLINE + CODE + "instance_count: 3\nrequest_settings:\n  max_concurrent_requests_per_instance: 4\n"
                 "environment_variables:\n  WORKER_COUNT: \"4\"\n",
        "b.yml": ONLINE.replace("blue", "tfs") + "instance_count: 3\nrequest_settings:\n"
                 "  max_concurrent_requests_per_instance: 4\n",
        "src/score.py": SCRIPT,
    }, rule="AML405") == []


def test_single_instance_is_info(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE + "instance_count: 1\n"}, rule="AML406")
    assert [(f.line, f.severity.label) for f in found] == [(6, "info")]
    assert "at least 3" in found[0].message


def test_three_instances_pass(lint: LintFn) -> None:
    assert lint({"dep.yml": ONLINE + "instance_count: 3\n"}, rule="AML406") == []


def test_secret_environment_variables(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE + "instance_count: 3\nenvironment_variables:\n"
                  "  OPENAI_API_KEY: sk-proj-abcdefghijklmnopqrstuvwxyz\n"
                  "  STORAGE: DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcdefghijklmnop==\n"
                  "  DB_PASSWORD: hunter2hunter2\n"}, rule="AML407")
    assert [(f.line, f.severity.label) for f in found] == [(8, "error"), (9, "error"), (10, "error")]
    assert "an API key (sk-...)" in found[0].message and "sk-proj" not in found[0].message
    assert "storage account key" in found[1].message


def test_references_in_environment_variables_pass(lint: LintFn) -> None:
    assert lint({"dep.yml": ONLINE + "instance_count: 3\nenvironment_variables:\n"
                 "  KV_SECRET_MULTIPLIER: multiplier@https://myvault.vault.azure.net\n"
                 "  API_KEY: ${{secrets.API_KEY}}\n  WORKER_COUNT: \"4\"\n  TOKENIZERS_PARALLELISM: \"false\"\n"
                 "  PARTITION_KEY: userId\n  PWD: /var/azureml-app\n  OPENAI_KEY_SECRET_NAME: openai-key\n"
                 # about a secret, not one: a Databricks secret scope, what a token is for, a variable's name
                 "  SECRET_SCOPE: ml-secrets\n  AML_TOKEN_AUDIENCE: https://ml.azure.com\n"
                 "  TOKEN_SCOPE: https://cognitiveservices.azure.com/.default\n  API_KEY_ENV: OPENAI_API_KEY\n"},
                rule="AML407") == []


def test_endpoint_name_of_a_deployment(lint: LintFn) -> None:
    found = lint({"dep.yml": ONLINE.replace("my-endpoint", "my_endpoint") + "instance_count: 3\n"}, rule="AML404")
    assert [(f.line, f.severity.label) for f in found] == [(3, "error")]
    assert "endpoint_name 'my_endpoint'" in found[0].message and "no endpoint can have this name" in found[0].message

"""AML403's fix: root tuning keys of a 'type: model' batch deployment moved under 'settings:'."""

from __future__ import annotations

from pathlib import Path

from rule_fixkit import lint, no_fix, roundtrip, write

HEAD = ("$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json\r\n"
        "name: nightly\r\n"
        "endpoint_name: my-batch\r\n"
        "model: azureml:m:1\r\n"
        "compute: azureml:cpu   # the cluster\r\n"
        "type: model\r\n")


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def test_settings_created_where_the_first_key_stood(tmp_path: Path) -> None:
    text = (HEAD
            + "# tuning\r\n"
            + "mini_batch_size: 10\t# files per call\r\n"
            + "output_action: 'append_row'\r\n"
            + "retry_settings:\r\n"
            + "    max_retries: 3\r\n"
            + "\r\n"
            + "    timeout: 300   # seconds\r\n"
            + "# the end\r\n")
    fixed = (HEAD
             + "# tuning\r\n"
             + "settings:\r\n"
             + "    mini_batch_size: 10\t# files per call\r\n"  # the file's own nesting: 4 spaces
             + "    output_action: 'append_row'\r\n"
             + "    retry_settings:\r\n"
             + "        max_retries: 3\r\n"
             + "\r\n"
             + "        timeout: 300   # seconds\r\n"
             + "# the end\r\n")
    roundtrip(tmp_path, {"dep.yml": text}, "AML403", {"dep.yml": fixed}, safe=True)


def test_appended_to_settings_with_its_indentation(tmp_path: Path) -> None:
    text = (HEAD + "settings:\n    mini_batch_size: 10\n    # more later\n"
            "output_file_name: predictions.csv\ncode_configuration:\n  code: src\n")
    fixed = (HEAD + "settings:\n    mini_batch_size: 10\n    output_file_name: predictions.csv\n"
             "    # more later\ncode_configuration:\n  code: src\n")
    roundtrip(tmp_path, {"dep.yml": crlf(text)}, "AML403", {"dep.yml": crlf(fixed)}, safe=True)


def test_default_mini_batch_size_added_with_a_new_settings(tmp_path: Path) -> None:
    text = HEAD + "logging_level: info\n"
    fixed = HEAD + "settings:\n  mini_batch_size: 10\n  logging_level: info\n"
    roundtrip(tmp_path, {"dep.yml": crlf(text)}, "AML403", {"dep.yml": crlf(fixed)}, safe=True)


def test_dropped_keys_move_only_with_unsafe_fixes(tmp_path: Path) -> None:
    text = HEAD + "environment_variables:\n  MODE: nightly\nmax_concurrency_per_instance: 2\n"
    write(tmp_path, {"dep.yml": text})
    fixes = {f.fix.safe: f.fix for f in lint(tmp_path) if f.rule_id == "AML403" and f.fix}
    assert fixes[True].description == "move max_concurrency_per_instance under 'settings:'"
    assert fixes[False].description == "move max_concurrency_per_instance, environment_variables under 'settings:'" \
        or "environment_variables" in fixes[False].description
    fixed = HEAD + "settings:\n  mini_batch_size: 10\n  environment_variables:\n    MODE: nightly\n" \
        "  max_concurrency_per_instance: 2\n"
    roundtrip(tmp_path, {"dep.yml": crlf(text)}, "AML403", {"dep.yml": crlf(fixed)})


def test_key_written_twice_gets_no_fix(tmp_path: Path) -> None:
    no_fix(tmp_path, {"dep.yml": HEAD + "settings:\n  mini_batch_size: 5\nmini_batch_size: 10\n"}, "AML403")

"""The fix engine: the pass loop, overlaps, and writing files without losing anything.

A stand-in rule (fixkit.py) gives fixes of every shape: one-file safe ones, chains that
overlap (each pass makes the next), and an unsafe fix over two files.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import fixkit
import pytest

from aml_lint.findings import Finding, LintResult, Location, Severity
from aml_lint.fix import Edit, Fix
from aml_lint.fixing import fix_project, unified_diff, write_fixes

REQS = "colour==1\r\n# keep this comment, 'odd' \"quotes\"\r\n\taaab\r\nmove: pkg\r\n"


def _fix(root: Path, unsafe: bool = False, **kw: object):  # type: ignore[no-untyped-def]
    return fix_project(fixkit.settings(root), unsafe=unsafe, lint=fixkit.lint, **kw)  # type: ignore[arg-type]


def test_safe_fixes_loop_until_nothing_changes(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": REQS, "requirements-extra.txt": "x==1\n"})
    run = _fix(tmp_path)
    # 'aaab' needs three passes: each 'ab' fix overlaps the next one, which waits.
    assert run.passes == 3 and not run.bound_hit
    assert run.after["requirements.txt"] == "color==1\r\n# keep this comment, 'odd' \"quotes\"\r\n\tb\r\nmove: pkg\r\n"
    assert run.changed == ["requirements.txt"]  # the unsafe two-file fix waits for --unsafe-fixes
    assert [f.rule_id for f in run.result.findings] == ["AML998"]  # what is left: the unsafe one
    assert run.result.findings[0].fix is not None and not run.result.findings[0].fix.safe
    assert len(run.fixed) == 4  # colour, then 'ab' three times
    assert (tmp_path / "requirements.txt").read_bytes() == REQS.encode()  # nothing written yet


def test_overlapping_fixes_first_by_position_wins(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "aab\nab\n"})
    run = _fix(tmp_path)
    assert run.after["requirements.txt"] == "b\nb\n"
    assert run.passes == 2


def test_the_pass_bound_is_said(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "a" * 6 + "b\n"})
    run = _fix(tmp_path, max_passes=3)
    assert run.bound_hit and run.passes == 3
    assert run.after["requirements.txt"] == "aaab\n"
    assert any("stopped after 3 passes" in note for note in run.skipped)


def test_unsafe_fix_over_two_files(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": REQS, "requirements-extra.txt": "x==1"})
    run = _fix(tmp_path, unsafe=True)
    assert run.after["requirements-extra.txt"] == "x==1\npkg\n"
    assert "move: pkg" not in run.after["requirements.txt"]
    assert run.groups == [{"requirements.txt", "requirements-extra.txt"}]
    assert run.result.findings == []
    write_fixes(run, tmp_path)
    assert sorted(run.written) == ["requirements-extra.txt", "requirements.txt"]
    assert (tmp_path / "requirements-extra.txt").read_bytes() == b"x==1\npkg\n"


def test_written_files_keep_crlf_bom_mode_and_every_other_byte(tmp_path: Path) -> None:
    original = "\ufeff" + REQS
    fixkit.write(tmp_path, {"requirements.txt": original})
    path = tmp_path / "requirements.txt"
    path.chmod(0o640)
    run = _fix(tmp_path)
    write_fixes(run, tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data == ("\ufeff" + run.after["requirements.txt"]).encode("utf-8")
    assert b"\r\n# keep this comment, 'odd' \"quotes\"\r\n\tb\r\n" in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if "aml-lint-tmp" in p.name] == []
    # Applying again changes nothing.
    again = _fix(tmp_path)
    assert again.changed == [] and again.passes == 0


def test_a_symlink_inside_the_root_writes_its_target(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"real/requirements.txt": "colour\n"})
    (tmp_path / "requirements.txt").symlink_to("real/requirements.txt")
    run = _fix(tmp_path)
    write_fixes(run, tmp_path)
    assert (tmp_path / "requirements.txt").is_symlink()
    assert (tmp_path / "real" / "requirements.txt").read_text() == "color\n"


def test_a_symlink_out_of_the_root_is_never_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "repo"
    fixkit.write(outside, {"requirements.txt": "colour\n"})
    root.mkdir()
    (root / "requirements.txt").symlink_to(outside / "requirements.txt")
    settings = fixkit.settings(root)
    # The walk never follows it; a fix naming it (a rule bug, a crafted repo) is refused too.
    finding = Finding("AML998", Severity.WARNING, "x", "requirements.txt", Location(1, 1),
                      fix=Fix("write it", (Edit("requirements.txt", 0, 6, "color"),)))
    fake = LintResult(findings=[finding], rules={}, sources={"requirements.txt": "colour\n"})
    run = fix_project(settings, lint=lambda s: fake, max_passes=1)
    assert run.changed == []
    assert any("outside the repository" in note for note in run.skipped)
    assert (outside / "requirements.txt").read_text() == "colour\n"


def test_a_file_not_read_cleanly_is_not_fixed(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": b"colour\n\xff\xfe\n"})
    finding = Finding("AML998", Severity.WARNING, "x", "requirements.txt", Location(1, 1),
                      fix=Fix("write it", (Edit("requirements.txt", 0, 6, "color"),)))
    fake = LintResult(findings=[finding], rules={})  # the engine had no text for it
    run = fix_project(fixkit.settings(tmp_path), lint=lambda s: fake)
    assert run.changed == [] and run.passes == 0
    assert any("not read whole as UTF-8" in note for note in run.skipped)
    assert (tmp_path / "requirements.txt").read_bytes() == b"colour\n\xff\xfe\n"


def test_a_fix_that_changes_nothing_is_refused_not_looped(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n"})
    finding = Finding("AML998", Severity.WARNING, "x", "requirements.txt", Location(1, 1),
                      fix=Fix("write it", (Edit("requirements.txt", 0, 6, "colour"),)))
    fake = LintResult(findings=[finding], rules={}, sources={"requirements.txt": "colour\n"})
    run = fix_project(fixkit.settings(tmp_path), lint=lambda s: fake)
    assert run.passes == 0 and any("changes nothing" in n for n in run.skipped)


def test_a_file_changed_since_it_was_read_is_left_alone(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n", "b/requirements.txt": "colour\n"})
    run = _fix(tmp_path)
    (tmp_path / "requirements.txt").write_text("colour\nmine\n")  # the user saved meanwhile
    write_fixes(run, tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == "colour\nmine\n"
    assert (tmp_path / "b" / "requirements.txt").read_text() == "color\n"
    assert run.written == ["b/requirements.txt"]
    assert any("changed on disk" in note for note in run.skipped)


def test_a_failed_rename_leaves_each_file_old_or_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"a/requirements.txt": "colour\n", "b/requirements.txt": "colour\n", "c/requirements.txt": "colour\n",
             "requirements.txt": "move: pkg\n", "requirements-extra.txt": "x\n"}
    fixkit.write(tmp_path, files)
    run = _fix(tmp_path, unsafe=True)
    assert len(run.changed) == 5
    real_replace = os.replace
    calls = []

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) in (2, 5):  # b/ fails; and the second file of the two-file group
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    write_fixes(run, tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    after = {rel: (tmp_path / rel).read_text() for rel in files}
    for rel, text in after.items():
        assert text in (files[rel], run.after[rel]), rel
    assert after["a/requirements.txt"] == "color\n" and after["c/requirements.txt"] == "color\n"
    assert after["b/requirements.txt"] == "colour\n"
    # The group of the two-file fix: all or nothing (the first rename was put back).
    assert after["requirements.txt"] == "move: pkg\n" and after["requirements-extra.txt"] == "x\n"
    assert sum("No space left" in note for note in run.skipped) == 2
    assert not [p for p in tmp_path.rglob("*aml-lint-tmp*")]


def test_a_run_killed_between_files_leaves_each_file_old_or_new(tmp_path: Path) -> None:
    files = {f"d{i}/requirements.txt": "colour\n" for i in range(4)}
    fixkit.write(tmp_path, files)
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parent.parent)!r}]  # fixkit, lintkit
        import fixkit
        from aml_lint.fixing import fix_project, write_fixes
        from pathlib import Path
        root = Path({str(tmp_path)!r})
        run = fix_project(fixkit.settings(root), lint=fixkit.lint)
        real = os.replace
        count = []
        def replace(src, dst):
            real(src, dst)
            count.append(dst)
            if len(count) == 2:
                os._exit(9)  # killed between two files
        os.replace = replace
        write_fixes(run, root)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    texts = [(tmp_path / rel).read_text() for rel in sorted(files)]
    assert texts == ["color\n", "color\n", "colour\n", "colour\n"]


def test_diff_paths_and_no_writes(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"sub/requirements.txt": "colour\nkeep\nend"})
    run = _fix(tmp_path)
    diff = unified_diff(run)
    assert diff.splitlines()[:2] == ["--- a/sub/requirements.txt", "+++ b/sub/requirements.txt"]
    assert "-colour\n+color\n" in diff
    assert (tmp_path / "sub" / "requirements.txt").read_text() == "colour\nkeep\nend"


def test_diff_never_prints_a_ci_command(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour ##vso[task.setvariable variable=x]1\n"})
    diff = unified_diff(_fix(tmp_path))
    assert "##vso[" not in diff and "-colour #\\x23vso[" in diff


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_read_only_file_is_left_alone(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n"})
    path = tmp_path / "requirements.txt"
    run = _fix(tmp_path)
    path.chmod(0o444)
    write_fixes(run, tmp_path)
    assert path.read_text() == "colour\n" and any("read-only" in n for n in run.skipped)


def test_a_hard_linked_file_is_left_alone(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n"})
    os.link(tmp_path / "requirements.txt", tmp_path / "copy.txt")
    run = _fix(tmp_path)
    write_fixes(run, tmp_path)
    assert (tmp_path / "copy.txt").read_text() == (tmp_path / "requirements.txt").read_text() == "colour\n"
    assert any("2 hard links" in n for n in run.skipped)


def test_an_edit_two_fixes_share_is_made_once(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n"})
    shared = Edit("requirements.txt", 0, 0, "# header\n")
    one = Finding("AML998", Severity.WARNING, "one", "requirements.txt", Location(1, 1),
                  fix=Fix("one", (shared, Edit("requirements.txt", 0, 6, "color"))))
    two = Finding("AML998", Severity.WARNING, "two", "requirements.txt", Location(1, 2),
                  fix=Fix("two", (shared,)))
    three = Finding("AML998", Severity.WARNING, "three", "requirements.txt", Location(1, 3),
                    fix=Fix("three", (Edit("requirements.txt", 0, 0, "# other\n"),)))
    passes = [LintResult(findings=[one, two, three], rules={}, sources={"requirements.txt": "colour\n"}),
              LintResult(findings=[], rules={})]
    run = fix_project(fixkit.settings(tmp_path), lint=lambda s: passes.pop(0))
    assert run.after["requirements.txt"] == "# header\ncolor\n"  # 'three' inserts at the same place: waits
    assert [f.message for f in run.fixed] == ["one", "two"]


def test_a_multi_file_fix_with_one_file_unreadable_is_not_applied_at_all(tmp_path: Path) -> None:
    fixkit.write(tmp_path, {"requirements.txt": "colour\n", "requirements-extra.txt": b"\xff\n"})
    both = Finding("AML998", Severity.WARNING, "x", "requirements.txt", Location(1, 1),
                   fix=Fix("move", (Edit("requirements.txt", 0, 7, ""), Edit("requirements-extra.txt", 0, 0, "colour\n"))))
    fake = LintResult(findings=[both], rules={}, sources={"requirements.txt": "colour\n"})
    run = fix_project(fixkit.settings(tmp_path), lint=lambda s: fake)
    assert run.changed == [] and run.fixed == []
    assert any("requirements-extra.txt was not read whole" in note for note in run.skipped)

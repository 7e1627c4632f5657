"""documents.command: the Python entry points of a job's `command:`, and what is left unparsed."""

from __future__ import annotations

import pytest

from aml_lint.documents.command import parse_command


def _entries(command: str) -> list[tuple[str, list[str]]]:
    return [(e.launcher, e.candidates()) for e in parse_command(command).entries]


def _reasons(command: str) -> list[str]:
    return [u.reason for u in parse_command(command).unparsed]


@pytest.mark.parametrize(("command", "expected"), [
    ("python train.py", [("python", ["train.py"])]),
    ("python3 train.py --lr ${{inputs.lr}} --out ${{outputs.model}}", [("python3", ["train.py"])]),
    ("python3.10 -u -B src/train.py", [("python3.10", ["src/train.py"])]),
    ("python -W ignore -X dev train.py", [("python", ["train.py"])]),
    ("/usr/bin/python ./train.py", [("python", ["train.py"])]),
    ("A=1 B='x y' python train.py", [("python", ["train.py"])]),
    ("env CUDA_VISIBLE_DEVICES=0 python train.py", [("python", ["train.py"])]),
    ("time nohup python train.py > log.txt 2>&1", [("python", ["train.py"])]),
    ("cd src && python train.py", [("python", ["src/train.py"])]),
    ("cd src; cd sub && python ../train.py", [("python", ["src/train.py"])]),
    ("python -m pkg.train --epochs 3", [("python", ["pkg/train.py", "pkg/train/__main__.py"])]),
    ("python -mpkg.train", [("python", ["pkg/train.py", "pkg/train/__main__.py"])]),
    ("cd src && python -m pkg.train", [("python", ["src/pkg/train.py", "src/pkg/train/__main__.py"])]),
    ("torchrun --standalone --nproc_per_node=2 train.py --lr 0.1", [("torchrun", ["train.py"])]),
    ("torchrun --nproc_per_node 4 -m pkg.train", [("torchrun", ["pkg/train.py", "pkg/train/__main__.py"])]),
    ("deepspeed --num_gpus 2 train.py --deepspeed ds.json", [("deepspeed", ["train.py"])]),
    ("accelerate launch --num_processes 2 train.py", [("accelerate launch", ["train.py"])]),
    ("mpirun -np 4 python dist.py", [("mpirun", ["dist.py"])]),
    ("horovodrun -np 4 -H localhost:4 python train.py", [("horovodrun", ["train.py"])]),
    ("python -m torch.distributed.launch --nproc_per_node 2 train.py", [("torch.distributed.launch", ["train.py"])]),
    ("conda run -n env --no-capture-output python train.py", [("python", ["train.py"])]),
    ("pip install -r requirements.txt && python train.py", [("python", ["train.py"])]),
    ("python prep.py && python train.py || echo failed", [("python", ["prep.py"]), ("python", ["train.py"])]),
    ("python prep.py\npython train.py\n", [("python", ["prep.py"]), ("python", ["train.py"])]),
    ("python train.py \\\n  --lr 0.1 \\\n  --epochs 2", [("python", ["train.py"])]),
    ("python train.py $[[--opt ${{inputs.opt}}]]", [("python", ["train.py"])]),
    ("python train.py --sweep ${{search_space.lr}}", [("python", ["train.py"])]),
    ("echo start # python commented.py\npython train.py", [("python", ["train.py"])]),
    ("python train.py | tee log.txt", [("python", ["train.py"])]),
    ("(cd src && python train.py)", [("python", ["src/train.py"])]),
])
def test_entries(command: str, expected: list[tuple[str, list[str]]]) -> None:
    assert _entries(command) == expected
    assert _reasons(command) == []


@pytest.mark.parametrize(("command", "reason"), [
    ("bash run.sh", "shell script"),
    ("sh -c 'python train.py'", "shell"),
    ("./run.sh --x 1", "shell script"),
    ("python $SCRIPT", "variable"),
    ("python ${SCRIPT_DIR}/train.py", "variable"),
    ("python ${{inputs.script}}", "placeholder"),
    ("python ${{inputs.code}}/train.py", "placeholder"),
    ("cd $WORKDIR && python train.py", "cd"),
    ("cd ${{inputs.dir}} && python train.py", "cd"),
    ("cd /tmp && python train.py", "cd"),
    ("python /app/train.py", "absolute"),
    ("python -m ${{inputs.module}}", "placeholder"),
    ("echo 'unclosed", "cannot split"),
    ("$RUNNER train.py", "variable"),
    ("torchrun --nproc_per_node 2 --no_python ./run", "no Python script"),
])
def test_unparseable_is_recorded_not_guessed(command: str, reason: str) -> None:
    assert _entries(command) == []
    reasons = _reasons(command)
    assert len(reasons) == 1 and reason in reasons[0], reasons


@pytest.mark.parametrize("command", [
    "Rscript train.R", "python -c 'import sys; print(sys.version)'", "nvidia-smi", "ls -la && echo done",
    "python", "python -", "", "   ",
])
def test_no_python_entry_and_nothing_unparsed(command: str) -> None:
    assert _entries(command) == []
    assert _reasons(command) == []


def test_commands_before_the_first_entry_are_kept() -> None:
    parsed = parse_command("wget https://x/data.zip && unzip data.zip && python train.py")
    assert [words[0] for words in parsed.before] == ["wget", "unzip"]
    assert [e.script for e in parsed.entries] == ["train.py"]


def test_a_placeholder_in_arguments_never_leaks_into_the_script_path() -> None:
    entry = parse_command("python train.py --data ${{inputs.data}} --model-dir ${{outputs.model}}").entries[0]
    assert entry.script == "train.py" and entry.written == "train.py"


def test_unparsed_text_shows_the_command_as_written() -> None:
    (unparsed,) = parse_command("python ${{inputs.code_dir}}/train.py --lr ${{inputs.lr}}").unparsed
    assert unparsed.text == "python ${{inputs.code_dir}}/train.py --lr ${{inputs.lr}}"

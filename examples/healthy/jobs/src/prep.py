"""Write the iris data set as a CSV file for the training step."""

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    x, y = load_iris(return_X_y=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savetxt(out / "iris.csv", np.column_stack([x, y]), delimiter=",")


if __name__ == "__main__":
    main()

"""Train an iris classifier."""

import argparse

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    args = parser.parse_args()
    x, y = load_iris(return_X_y=True)
    joblib.dump(LogisticRegression(C=args.C, max_iter=200).fit(x, y), "outputs/model.pkl")


if __name__ == "__main__":
    main()

"""Train a boosted iris classifier (the environment forgets to install lightgbm)."""

import argparse
import os

import joblib
import lightgbm
from sklearn.datasets import load_iris


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--model-dir", default="outputs")
    args = parser.parse_args()
    x, y = load_iris(return_X_y=True)
    model = lightgbm.LGBMClassifier(n_estimators=args.rounds).fit(x, y)
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, "model.pkl"))


if __name__ == "__main__":
    main()

"""Train an iris classifier; run by the command job, the sweep trial and the pipeline steps."""

import argparse
from pathlib import Path

import joblib
import mlflow
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--model-dir", default="outputs")
    args = parser.parse_args()

    x, y = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0)
    model = LogisticRegression(C=args.C, max_iter=args.max_iter).fit(x_train, y_train)
    accuracy = float(np.mean(model.predict(x_test) == y_test))
    mlflow.log_metric("accuracy", accuracy)

    out = Path(args.model_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.pkl")


if __name__ == "__main__":
    main()
